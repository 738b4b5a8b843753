package dev.switchboard.rabbit;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * The resolved settings of one {@link RabbitTransport}. The password is held here and nowhere else;
 * {@link #toString()} and {@link #brokerUri()} never contain it. {@code tls} is null for a plain
 * connection.
 */
record RabbitSettings(
    String host,
    int port,
    String virtualHost,
    String username,
    String password,
    RabbitTransport.QueueType queueType,
    int confirmWindow,
    Duration publishTimeout,
    String connectionName,
    Duration recoveryInterval,
    @Nullable RabbitTls tls) {

  /** The broker address for logs and messages, with the password masked. */
  String brokerUri() {
    return (tls != null ? "amqps://" : "amqp://")
        + username
        + ":****@"
        + host
        + ":"
        + port
        + "/"
        + URLEncoder.encode(virtualHost, StandardCharsets.UTF_8);
  }

  boolean quorum() {
    return queueType == RabbitTransport.QueueType.QUORUM;
  }

  /** Replaces the password in any {@code scheme://user:password@...} text by {@code ****}. */
  static String mask(String uri) {
    int start = uri.indexOf("://");
    if (start < 0) {
      return uri;
    }
    start += 3;
    // The last '@' ends the user info: a password typed raw may hold '@', '/', '?' or '#', which
    // no URI parser would accept, yet the text must not show it. Masking too much is harmless.
    int at = uri.lastIndexOf('@');
    if (at < start) {
      return uri;
    }
    int colon = uri.indexOf(':', start);
    if (colon < 0 || colon > at) {
      return uri;
    }
    return uri.substring(0, colon) + ":****" + uri.substring(at);
  }

  @Override
  public String toString() {
    return "RabbitSettings{"
        + brokerUri()
        + ", connectionName="
        + connectionName
        + ", queueType="
        + queueType
        + ", confirmWindow="
        + confirmWindow
        + ", publishTimeout="
        + publishTimeout
        + ", recoveryInterval="
        + recoveryInterval
        + (tls != null ? ", " + tls : "")
        + "}";
  }
}
