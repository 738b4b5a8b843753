package dev.switchboard.testkit.rabbit;

import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Assumptions;

/**
 * Where a RabbitMQ broker listens and how to log in: an immutable value.
 *
 * <p>{@link #shared()} is the broker every test in a run shares: the one named by {@value #URI_ENV}
 * (for example {@code amqp://user:pass@127.0.0.1:5672/}) or else the machine's node at {@value
 * #DEFAULT_URI}. The testkit never starts or stops it; tests keep their footprint on it to uniquely
 * named queues and exchanges that they delete. {@link #requireAvailable()} makes a missing broker
 * fail loudly when the environment variable {@code CI} is {@code true}, and skip the test with a
 * one-line reason elsewhere.
 *
 * <p>A URI without a path, or with the path {@code /} alone, means the default virtual host {@code
 * /}. (The AMQP URI scheme reads a lone {@code /} as the empty virtual host, which no broker has by
 * default; this class follows the common intent instead.) Other virtual hosts are written
 * percent-encoded: {@code amqp://host/%2Forders} is {@code /orders}.
 *
 * <p>{@link #toString()} hides the password; {@link #uri()} does not, so keep it out of logs.
 */
public final class RabbitBroker {
  /** The environment variable that names the shared broker. */
  public static final String URI_ENV = "SWITCHBOARD_RABBIT_URI";

  /** The shared broker when {@value #URI_ENV} is not set. */
  public static final String DEFAULT_URI = "amqp://guest:guest@127.0.0.1:5672";

  private static final int CONNECT_TIMEOUT_MS = 3_000;

  private final URI uri;
  private final String host;
  private final int port;
  private final String username;
  private final String password;
  private final String virtualHost;

  private RabbitBroker(URI uri) {
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("amqp") && !scheme.equals("amqps")) {
      throw new IllegalArgumentException(
          "a RabbitMQ URI starts with amqp:// or amqps://, not " + redact(uri));
    }
    if (uri.getHost() == null) {
      throw new IllegalArgumentException("the RabbitMQ URI " + redact(uri) + " names no host");
    }
    this.uri = uri;
    this.host = uri.getHost();
    this.port = uri.getPort() > 0 ? uri.getPort() : scheme.equals("amqps") ? 5671 : 5672;
    String userInfo = uri.getRawUserInfo();
    String[] credentials = userInfo == null ? new String[0] : userInfo.split(":", 2);
    this.username = credentials.length > 0 ? decode(credentials[0]) : "guest";
    this.password = credentials.length > 1 ? decode(credentials[1]) : "guest";
    String path = uri.getRawPath();
    this.virtualHost = path == null || path.length() <= 1 ? "/" : decode(path.substring(1));
  }

  /**
   * Returns a broker described by an AMQP URI.
   *
   * @throws IllegalArgumentException if the text is not an {@code amqp://} or {@code amqps://} URI
   *     with a host
   */
  public static RabbitBroker at(String uri) {
    Objects.requireNonNull(uri, "uri");
    try {
      return new RabbitBroker(new URI(uri.strip()));
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("not a valid RabbitMQ URI: " + e.getReason(), e);
    }
  }

  /**
   * Returns the broker named by {@value #URI_ENV}, or the machine's node at {@value #DEFAULT_URI}.
   */
  public static RabbitBroker shared() {
    String configured = System.getenv(URI_ENV);
    return at(configured == null || configured.isBlank() ? DEFAULT_URI : configured);
  }

  /**
   * Returns the shared broker if it accepts a connection. Otherwise, when the environment variable
   * {@code CI} is {@code true}, throws {@link RabbitBrokerException}; elsewhere aborts the calling
   * test (JUnit reports it as skipped) with a one-line reason.
   */
  public static RabbitBroker requireAvailable() {
    RabbitBroker broker = shared();
    @Nullable String problem = broker.availabilityProblem();
    if (problem == null) {
      return broker;
    }
    String reason =
        "RabbitMQ at "
            + broker
            + " is not available ("
            + problem
            + "); start it (rabbitmq-server -detached) or set "
            + URI_ENV;
    if (isCi()) {
      throw new RabbitBrokerException(reason);
    }
    return Assumptions.abort(reason);
  }

  /** Whether a connection can be opened and closed within a few seconds. */
  public boolean isAvailable() {
    return availabilityProblem() == null;
  }

  /**
   * Returns a new connection factory for this broker, with automatic recovery as the client library
   * defaults it.
   */
  public ConnectionFactory connectionFactory() {
    ConnectionFactory factory = new ConnectionFactory();
    try {
      factory.setUri(uri);
    } catch (GeneralSecurityException e) {
      throw new RabbitBrokerException("cannot set up TLS for " + this, e);
    }
    factory.setVirtualHost(virtualHost);
    factory.setConnectionTimeout(CONNECT_TIMEOUT_MS);
    return factory;
  }

  /** The full URI, credentials included. */
  public String uri() {
    return uri.toString();
  }

  public String host() {
    return host;
  }

  public int port() {
    return port;
  }

  public String username() {
    return username;
  }

  public String password() {
    return password;
  }

  public String virtualHost() {
    return virtualHost;
  }

  @Override
  public boolean equals(@Nullable Object other) {
    return other instanceof RabbitBroker that && uri.equals(that.uri);
  }

  @Override
  public int hashCode() {
    return uri.hashCode();
  }

  /** The URI with the password replaced by {@code ***}. */
  @Override
  public String toString() {
    return redact(uri);
  }

  static boolean isCi() {
    return "true".equalsIgnoreCase(System.getenv("CI"));
  }

  private @Nullable String availabilityProblem() {
    ConnectionFactory factory = connectionFactory();
    factory.setAutomaticRecoveryEnabled(false);
    factory.setHandshakeTimeout(CONNECT_TIMEOUT_MS);
    try (Connection connection = factory.newConnection("switchboard-testkit-probe")) {
      return connection.isOpen() ? null : "the connection closed at once";
    } catch (IOException | TimeoutException e) {
      return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
  }

  /** Percent-decodes a URI part; unlike form encoding, a plus sign stays a plus sign. */
  private static String decode(String text) {
    return URLDecoder.decode(text.replace("+", "%2B"), StandardCharsets.UTF_8);
  }

  private static String redact(URI uri) {
    String userInfo = uri.getRawUserInfo();
    if (userInfo == null || !userInfo.contains(":")) {
      return uri.toString();
    }
    String user = userInfo.substring(0, userInfo.indexOf(':'));
    return uri.toString().replace(userInfo + "@", user + ":***@");
  }
}
