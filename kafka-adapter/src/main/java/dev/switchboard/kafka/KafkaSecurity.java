package dev.switchboard.kafka;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.config.SslConfigs;
import org.apache.kafka.common.config.types.Password;
import org.jspecify.annotations.Nullable;

/**
 * How a {@link KafkaTransport} secures its connections: always TLS, and optionally SASL
 * authentication with a user name and password. Given to {@link
 * KafkaTransport.Builder#security(KafkaSecurity)}, it applies to the producer, every consumer,
 * every share consumer and the admin client alike.
 *
 * <pre>{@code
 * KafkaSecurity security =
 *     KafkaSecurity.builder()
 *         .trustStore(StoreType.PKCS12, Path.of("truststore.p12"), trustStorePassword)
 *         .sasl(SaslMechanism.SCRAM_SHA_512, "alice", alicePassword)
 *         .build();
 * }</pre>
 *
 * <p>With SASL the clients use {@code security.protocol=SASL_SSL}, without it {@code SSL}; there is
 * no way to send a password unencrypted. Without a trust store the JVM's default trust applies.
 * Host name verification stays on: the broker's certificate must name the host in the bootstrap
 * address (an IP address needs an IP subject alternative name).
 *
 * <p>Passwords are copied when given and kept as {@code char[]}; the caller may wipe its own arrays
 * afterwards. They reach Kafka as {@link Password} values, which Kafka never logs. {@link
 * #toString()} shows the protocol, mechanism, user name and trust store path, never a password.
 * Immutable and thread-safe.
 */
public final class KafkaSecurity {
  /** The client properties this value sets; raw properties must not set them as well. */
  static final Set<String> KEYS =
      Set.of(
          "security.protocol",
          SslConfigs.SSL_TRUSTSTORE_LOCATION_CONFIG,
          SslConfigs.SSL_TRUSTSTORE_PASSWORD_CONFIG,
          SslConfigs.SSL_TRUSTSTORE_TYPE_CONFIG,
          SaslConfigs.SASL_MECHANISM,
          SaslConfigs.SASL_JAAS_CONFIG);

  /** The format of a trust store file. */
  public enum StoreType {
    /** PKCS #12, the JDK's default key store format. */
    PKCS12,
    /** The JDK's older proprietary format. */
    JKS
  }

  private final @Nullable TrustStore trustStore;
  private final @Nullable Sasl sasl;

  private KafkaSecurity(@Nullable TrustStore trustStore, @Nullable Sasl sasl) {
    this.trustStore = trustStore;
    this.sasl = sasl;
  }

  /** Starts a builder; with no setting at all it yields plain TLS with the JVM's default trust. */
  public static Builder builder() {
    return new Builder();
  }

  /** {@code SASL_SSL} with SASL, else {@code SSL}. */
  public String protocol() {
    return sasl != null ? "SASL_SSL" : "SSL";
  }

  /** The SASL user name, if SASL is used. */
  public Optional<String> username() {
    return sasl == null ? Optional.empty() : Optional.of(sasl.username);
  }

  /** The SASL mechanism, if SASL is used. */
  public Optional<SaslMechanism> mechanism() {
    return sasl == null ? Optional.empty() : Optional.of(sasl.mechanism);
  }

  /** The client properties for every Kafka client; secrets are {@link Password} values. */
  Map<String, Object> clientConfig() {
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("security.protocol", protocol());
    if (trustStore != null) {
      c.put(SslConfigs.SSL_TRUSTSTORE_TYPE_CONFIG, trustStore.type.name());
      c.put(SslConfigs.SSL_TRUSTSTORE_LOCATION_CONFIG, trustStore.path.toString());
      c.put(
          SslConfigs.SSL_TRUSTSTORE_PASSWORD_CONFIG, new Password(new String(trustStore.password)));
    }
    if (sasl != null) {
      c.put(SaslConfigs.SASL_MECHANISM, sasl.mechanism.kafkaName());
      c.put(SaslConfigs.SASL_JAAS_CONFIG, new Password(sasl.jaasConfig()));
    }
    return c;
  }

  /** Rejects a raw property that {@code security}, given earlier, sets itself. */
  static void rejectLater(@Nullable KafkaSecurity security, String method, String key) {
    if (security != null && KEYS.contains(key)) {
      throw new IllegalArgumentException(
          method
              + "(\""
              + key
              + "\", ..) conflicts with security("
              + security
              + ")"
              + "; set it in one place only");
    }
  }

  /** Rejects the typed setting when a raw property given earlier sets one of its keys. */
  static void rejectEarlier(Map<String, String> raw, String method) {
    for (String key : KEYS) {
      if (raw.containsKey(key)) {
        throw new IllegalArgumentException(
            "security(..) conflicts with "
                + method
                + "(\""
                + key
                + "\", ..) given earlier"
                + "; set it in one place only");
      }
    }
  }

  /** Who connects, for error messages: {@code user 'alice' (SCRAM-SHA-512)} or {@code TLS}. */
  String principal() {
    return sasl == null
        ? "TLS without SASL"
        : "user '" + sasl.username + "' (" + sasl.mechanism.kafkaName() + ")";
  }

  /** Shows the protocol, mechanism, user and trust store; passwords are masked. */
  @Override
  public String toString() {
    StringBuilder b = new StringBuilder("KafkaSecurity{").append(protocol());
    if (sasl != null) {
      b.append(", ").append(sasl.mechanism.kafkaName());
      b.append(", user '").append(sasl.username).append("', password ****");
    }
    if (trustStore != null) {
      b.append(", trust store ").append(trustStore.path).append(" (").append(trustStore.type);
      b.append(", password ****)");
    } else {
      b.append(", JVM default trust");
    }
    return b.append('}').toString();
  }

  private record TrustStore(StoreType type, Path path, char[] password) {
    @Override
    public String toString() {
      return "TrustStore{" + type + ", " + path + ", password ****}";
    }
  }

  private record Sasl(SaslMechanism mechanism, String username, char[] password) {
    /** The login module line; the values are quoted, with quotes and backslashes escaped. */
    String jaasConfig() {
      return mechanism.loginModule()
          + " required username=\""
          + quote(username.toCharArray())
          + "\" password=\""
          + quote(password)
          + "\";";
    }

    private static String quote(char[] value) {
      StringBuilder b = new StringBuilder(value.length + 8);
      for (char ch : value) {
        if (ch == '"' || ch == '\\') {
          b.append('\\');
        }
        b.append(ch);
      }
      return b.toString();
    }

    @Override
    public String toString() {
      return "Sasl{" + mechanism + ", user '" + username + "', password ****}";
    }
  }

  /**
   * Configures a {@link KafkaSecurity}. Each setting may be given once; a second call is rejected.
   * Not thread-safe.
   */
  public static final class Builder {
    private @Nullable TrustStore trustStore;
    private @Nullable Sasl sasl;

    private Builder() {}

    /**
     * The trust store holding the certificates (or the CA) the brokers' certificates are checked
     * against. The file must exist; it is read by each client as it starts.
     */
    public Builder trustStore(StoreType type, Path path, char[] password) {
      Objects.requireNonNull(type, "type");
      Objects.requireNonNull(path, "path");
      Objects.requireNonNull(password, "password");
      if (trustStore != null) {
        throw new IllegalStateException(
            "trustStore(..) was already set to " + trustStore.path + "; not setting " + path);
      }
      if (!path.toFile().isFile()) {
        throw new IllegalArgumentException("trust store " + path + " is not a readable file");
      }
      trustStore = new TrustStore(type, path.toAbsolutePath(), password.clone());
      return this;
    }

    /**
     * Authenticates with a user name and password. The password must not be empty or hold line
     * breaks (a JAAS configuration cannot carry them); the message never repeats it.
     */
    public Builder sasl(SaslMechanism mechanism, String username, char[] password) {
      Objects.requireNonNull(mechanism, "mechanism");
      Objects.requireNonNull(username, "username");
      Objects.requireNonNull(password, "password");
      if (sasl != null) {
        throw new IllegalStateException(
            "sasl(..) was already set for user '"
                + sasl.username
                + "'; not setting it for '"
                + username
                + "'");
      }
      if (username.isBlank() || username.indexOf('\n') >= 0 || username.indexOf('\r') >= 0) {
        throw new IllegalArgumentException(
            "the SASL user name must not be blank or hold line breaks");
      }
      if (password.length == 0) {
        throw new IllegalArgumentException("the SASL password of '" + username + "' is empty");
      }
      for (char ch : password) {
        if (ch == '\n' || ch == '\r') {
          throw new IllegalArgumentException(
              "the SASL password of '" + username + "' holds a line break");
        }
      }
      sasl = new Sasl(mechanism, username, password.clone());
      return this;
    }

    public KafkaSecurity build() {
      return new KafkaSecurity(trustStore, sasl);
    }
  }
}
