package dev.switchboard.rabbit;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.regex.Pattern;
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

  private static final Pattern USER_INFO = Pattern.compile("(?<=//)([^:/@]*):([^@/]*)@");

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
    return USER_INFO.matcher(uri).replaceAll("$1:****@");
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
