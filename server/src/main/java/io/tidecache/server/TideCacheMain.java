package io.tidecache.server;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Not thread-safe (runs once): the command line of the tidecache server application. */
@Command(name = "tidecache", mixinStandardHelpOptions = true, version = "tidecache 0.1.0",
    description = "An elastic, reactive key-value cache that leases off-heap memory.",
    subcommands = {DemoCommand.class})
public final class TideCacheMain implements Runnable {

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  public static void main(String[] args) {
    System.exit(new CommandLine(new TideCacheMain()).execute(args));
  }
}
