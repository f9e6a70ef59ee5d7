package io.tidecache.transport.rsocket.testing;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.util.Base64;
import java.util.concurrent.TimeUnit;

/**
 * Stateless test helper: a self-signed certificate made with the JDK's keytool, written as PEM
 * files for TLS tests. Shared by the transport's and the server's tests through this module's
 * test jar.
 */
public final class SelfSignedCertificate {
  private SelfSignedCertificate() {}

  /** A self-signed EC certificate for CN=localhost, SAN dns:localhost and ip:127.0.0.1. */
  public static void write(Path keystore, Path certPem, Path keyPem) throws Exception {
    String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
    char[] pass = "changeit".toCharArray();
    Process p = new ProcessBuilder(keytool, "-genkeypair", "-alias", "tidecache",
        "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=localhost",
        "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-validity", "2",
        "-keystore", keystore.toString(), "-storetype", "PKCS12",
        "-storepass", "changeit", "-keypass", "changeit")
        .redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IOException("keytool failed: " + output);
    }
    KeyStore store = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(keystore)) {
      store.load(in, pass);
    }
    PrivateKey key = (PrivateKey) store.getKey("tidecache", pass);
    Certificate certificate = store.getCertificate("tidecache");
    Files.writeString(certPem, pem("CERTIFICATE", certificate.getEncoded()));
    Files.writeString(keyPem, pem("PRIVATE KEY", key.getEncoded()));
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN " + type + "-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
        + "\n-----END " + type + "-----\n";
  }
}
