package dev.switchboard.testkit.kafka;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * A self-signed server certificate for {@code 127.0.0.1} and {@code localhost}, made with the JDK's
 * {@code keytool}, and a trust store holding it.
 *
 * <p>{@link #generate(Path)} writes {@code broker.p12} (the key entry), {@code broker.crt} (the
 * certificate, PEM) and {@code truststore.p12} into a directory, all PKCS12 and protected by one
 * random password. The password reaches keytool through its environment, never its command line.
 * The certificate is valid for two days and names the loopback address in its subject alternative
 * names, so clients can keep host name verification on. {@link #toString()} masks the password.
 *
 * @param keyStore the broker's key store, for {@link SaslSslListener#keyStore()}
 * @param trustStore a trust store whose only entry is the broker's certificate
 * @param password the password of both stores and of the key entry
 */
public record TestCertificates(Path keyStore, Path trustStore, String password) {
  private static final String PASSWORD_ENV = "SWITCHBOARD_TEST_STORE_PASSWORD";
  private static final long KEYTOOL_TIMEOUT_SECONDS = 60;

  public TestCertificates {
    Objects.requireNonNull(keyStore, "keyStore");
    Objects.requireNonNull(trustStore, "trustStore");
    Objects.requireNonNull(password, "password");
  }

  /**
   * Generates a key pair, its certificate and a trust store in {@code directory}, which must exist
   * and must not already hold them.
   *
   * @throws KafkaBrokerException if keytool fails; the message holds its output
   */
  public static TestCertificates generate(Path directory) {
    Objects.requireNonNull(directory, "directory");
    byte[] random = new byte[16];
    new SecureRandom().nextBytes(random);
    String password = HexFormat.of().formatHex(random);
    Path keyStore = directory.resolve("broker.p12");
    Path certificate = directory.resolve("broker.crt");
    Path trustStore = directory.resolve("truststore.p12");
    Path output = directory.resolve("keytool.out");
    keytool(
        password,
        output,
        "-genkeypair",
        "-alias",
        "broker",
        "-keyalg",
        "EC",
        "-groupname",
        "secp256r1",
        "-validity",
        "2",
        "-dname",
        "CN=127.0.0.1",
        "-ext",
        "SAN=IP:127.0.0.1,DNS:localhost",
        "-storetype",
        "PKCS12",
        "-keystore",
        keyStore.toString(),
        "-storepass:env",
        PASSWORD_ENV);
    keytool(
        password,
        output,
        "-exportcert",
        "-rfc",
        "-alias",
        "broker",
        "-keystore",
        keyStore.toString(),
        "-storepass:env",
        PASSWORD_ENV,
        "-file",
        certificate.toString());
    keytool(
        password,
        output,
        "-importcert",
        "-noprompt",
        "-alias",
        "broker",
        "-file",
        certificate.toString(),
        "-storetype",
        "PKCS12",
        "-keystore",
        trustStore.toString(),
        "-storepass:env",
        PASSWORD_ENV);
    return new TestCertificates(keyStore, trustStore, password);
  }

  /** Shows the store paths; the password is masked. */
  @Override
  public String toString() {
    return "TestCertificates[keyStore="
        + keyStore
        + ", trustStore="
        + trustStore
        + ", password=****]";
  }

  private static void keytool(String password, Path output, String... arguments) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
    command.addAll(List.of(arguments));
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(output.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    builder.environment().put(PASSWORD_ENV, password);
    try {
      Process tool = builder.start();
      if (!tool.waitFor(KEYTOOL_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        tool.destroyForcibly();
        throw new KafkaBrokerException(
            "keytool " + arguments[0] + " took longer than " + KEYTOOL_TIMEOUT_SECONDS + " s");
      }
      if (tool.exitValue() != 0) {
        throw new KafkaBrokerException(
            "keytool "
                + arguments[0]
                + " failed with exit code "
                + tool.exitValue()
                + ": "
                + Files.readString(output).strip());
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run keytool", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new KafkaBrokerException("interrupted while running keytool", e);
    }
  }
}
