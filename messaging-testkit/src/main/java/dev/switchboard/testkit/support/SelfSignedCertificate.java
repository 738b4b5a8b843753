package dev.switchboard.testkit.support;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * A self-signed server certificate for tests, in the forms a broker and a Java client each read:
 * the certificate and its private key as PEM files (for servers such as RabbitMQ, whose Erlang TLS
 * stack reads PEM) and a PKCS12 trust store holding the certificate (for Java clients).
 *
 * <p>{@link #generate(Path, String...)} makes an EC P-256 key pair with the JDK's {@code keytool},
 * valid for two days, whose subject alternative names are the ones given ({@code IP:127.0.0.1},
 * {@code DNS:localhost} by default), so that clients can keep host name verification on. The trust
 * store password is random; it reaches keytool through its environment, never its command line. The
 * private key file is unencrypted and readable by its owner only. {@link #toString()} masks the
 * password.
 *
 * @param certificate the certificate, PEM; being self-signed, it is also its own CA
 * @param privateKey the private key, unencrypted PKCS #8 PEM
 * @param trustStore a PKCS12 trust store whose only entry is the certificate
 * @param trustStorePassword the trust store's password
 */
public record SelfSignedCertificate(
    Path certificate, Path privateKey, Path trustStore, String trustStorePassword) {
  private static final String PASSWORD_ENV = "SWITCHBOARD_TEST_CERT_PASSWORD";
  private static final long KEYTOOL_TIMEOUT_SECONDS = 60;
  private static final Pattern NAME = Pattern.compile("(IP|DNS):[A-Za-z0-9.:\\-]+");

  public SelfSignedCertificate {
    Objects.requireNonNull(certificate, "certificate");
    Objects.requireNonNull(privateKey, "privateKey");
    Objects.requireNonNull(trustStore, "trustStore");
    Objects.requireNonNull(trustStorePassword, "trustStorePassword");
  }

  /**
   * Writes {@code server.crt}, {@code server.key} and {@code truststore.p12} (and keytool's own
   * {@code server.p12} and {@code keytool.out}) into {@code directory}, which must exist and must
   * not already hold them.
   *
   * @param subjectAlternativeNames such as {@code IP:127.0.0.1} or {@code DNS:localhost}; none
   *     means both of those. The first one also makes the subject's common name.
   * @throws IllegalArgumentException if a name is not of the form {@code IP:..} or {@code DNS:..}
   * @throws IllegalStateException if keytool fails; the message holds its output
   */
  public static SelfSignedCertificate generate(Path directory, String... subjectAlternativeNames) {
    Objects.requireNonNull(directory, "directory");
    List<String> names =
        subjectAlternativeNames.length == 0
            ? List.of("IP:127.0.0.1", "DNS:localhost")
            : List.of(subjectAlternativeNames);
    for (String name : names) {
      if (!NAME.matcher(name).matches()) {
        throw new IllegalArgumentException(
            "subject alternative name '" + name + "' is not IP:<address> or DNS:<name>");
      }
    }
    byte[] random = new byte[16];
    new SecureRandom().nextBytes(random);
    String password = HexFormat.of().formatHex(random);
    Path keyStore = directory.resolve("server.p12");
    keytool(
        password,
        directory.resolve("keytool.out"),
        "-genkeypair",
        "-alias",
        "server",
        "-keyalg",
        "EC",
        "-groupname",
        "secp256r1",
        "-validity",
        "2",
        "-dname",
        "CN=" + names.get(0).substring(names.get(0).indexOf(':') + 1),
        "-ext",
        "SAN=" + String.join(",", names),
        "-storetype",
        "PKCS12",
        "-keystore",
        keyStore.toString(),
        "-storepass:env",
        PASSWORD_ENV);
    try {
      return export(directory, keyStore, password);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the certificate files in " + directory, e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot read the key store keytool wrote: " + keyStore, e);
    }
  }

  /** The trust store password as a fresh array, as client settings take it. */
  public char[] trustStorePasswordChars() {
    return trustStorePassword.toCharArray();
  }

  /** Shows the file paths; the password is masked. */
  @Override
  public String toString() {
    return "SelfSignedCertificate[certificate="
        + certificate
        + ", privateKey="
        + privateKey
        + ", trustStore="
        + trustStore
        + ", trustStorePassword=****]";
  }

  private static SelfSignedCertificate export(Path directory, Path keyStore, String password)
      throws IOException, GeneralSecurityException {
    KeyStore source = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(keyStore)) {
      source.load(in, password.toCharArray());
    }
    Certificate cert = source.getCertificate("server");
    Key key = source.getKey("server", password.toCharArray());
    if (cert == null || !(key instanceof PrivateKey)) {
      throw new GeneralSecurityException("no key entry 'server' in " + keyStore);
    }
    Path certificate = directory.resolve("server.crt");
    Files.writeString(certificate, pem("CERTIFICATE", cert.getEncoded()), StandardCharsets.UTF_8);
    Path privateKey = directory.resolve("server.key");
    Files.createFile(
        privateKey,
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.writeString(privateKey, pem("PRIVATE KEY", key.getEncoded()), StandardCharsets.UTF_8);
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    trust.setCertificateEntry("server", cert);
    Path trustStore = directory.resolve("truststore.p12");
    try (OutputStream out = Files.newOutputStream(trustStore)) {
      trust.store(out, password.toCharArray());
    }
    return new SelfSignedCertificate(certificate, privateKey, trustStore, password);
  }

  private static String pem(String type, byte[] der) {
    String body = Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der);
    return "-----BEGIN " + type + "-----\n" + body + "\n-----END " + type + "-----\n";
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
        throw new IllegalStateException(
            "keytool " + arguments[0] + " took longer than " + KEYTOOL_TIMEOUT_SECONDS + " s");
      }
      if (tool.exitValue() != 0) {
        throw new IllegalStateException(
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
      throw new IllegalStateException("interrupted while running keytool", e);
    }
  }
}
