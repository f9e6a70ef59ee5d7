package io.tidecache.server;

import java.util.Set;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * Not thread-safe (runs once): the command line of the tidecache server application. Without a
 * command, or with options only, it runs {@code serve}.
 */
@Command(name = "tidecache", mixinStandardHelpOptions = true, version = "tidecache "
    + TideCacheServer.VERSION,
    description = "An elastic, reactive key-value cache that leases off-heap memory. "
        + "Without a command: serve.",
    subcommands = {ServeCommand.class, DemoCommand.class})
public final class TideCacheMain implements Runnable {
  private static final Set<String> OWN_OPTIONS = Set.of("-h", "--help", "-V", "--version");

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  public static void main(String[] args) {
    System.exit(new CommandLine(new TideCacheMain()).execute(withDefaultCommand(args)));
  }

  /** {@code serve} in front of the arguments when they name no command. */
  static String[] withDefaultCommand(String[] args) {
    if (args.length == 0 || (args[0].startsWith("-") && !OWN_OPTIONS.contains(args[0]))) {
      String[] out = new String[args.length + 1];
      out[0] = "serve";
      System.arraycopy(args, 0, out, 1, args.length);
      return out;
    }
    return args;
  }
}
