package dev.switchboard.testkit.kafka;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * An extra listener of a private broker that takes TLS connections and authenticates clients with
 * SASL: SCRAM-SHA-512, SCRAM-SHA-256 or PLAIN, each with the same users.
 *
 * <p>The broker presents the one key entry of {@code keyStore} (PKCS12), such as {@link
 * TestCertificates#keyStore()}; clients need a trust store that holds its certificate. SCRAM users
 * are written into the cluster metadata when the storage is formatted, before the first start, so
 * they exist as soon as the broker is ready and survive {@link KafkaBroker#restart()}.
 *
 * <p>User names and passwords are limited to letters, digits, {@code .}, {@code _} and {@code -},
 * because they pass unescaped through the storage tool's bracket syntax and the broker's JAAS
 * configuration. This is test material: a password is handed to the short-lived storage tool on its
 * command line, where other local users could see it while the tool runs. {@link #toString()} shows
 * user names, never passwords.
 *
 * @param keyStore a PKCS12 key store holding the broker's private key and certificate
 * @param keyStorePassword the password of the key store and of its key entry
 * @param users user name to password, at least one
 */
public record SaslSslListener(Path keyStore, String keyStorePassword, Map<String, String> users) {
  private static final Pattern SIMPLE = Pattern.compile("[A-Za-z0-9._-]+");

  public SaslSslListener {
    Objects.requireNonNull(keyStore, "keyStore");
    Objects.requireNonNull(keyStorePassword, "keyStorePassword");
    Objects.requireNonNull(users, "users");
    if (!Files.isRegularFile(keyStore)) {
      throw new IllegalArgumentException("key store " + keyStore + " is not a file");
    }
    if (users.isEmpty()) {
      throw new IllegalArgumentException("a SASL_SSL listener needs at least one user");
    }
    users.forEach(
        (name, password) -> {
          if (!SIMPLE.matcher(name).matches()) {
            throw new IllegalArgumentException(
                "user name '" + name + "' must hold only letters, digits, '.', '_' and '-'");
          }
          if (!SIMPLE.matcher(password).matches()) {
            throw new IllegalArgumentException(
                "the password of user '"
                    + name
                    + "' must hold only letters, digits, '.', '_' and '-'");
          }
        });
    users = Map.copyOf(new LinkedHashMap<>(users));
  }

  /** Shows the key store and the user names; passwords are masked. */
  @Override
  public String toString() {
    return "SaslSslListener[keyStore="
        + keyStore
        + ", users="
        + users.keySet().stream().sorted().toList()
        + ", passwords=****]";
  }
}
