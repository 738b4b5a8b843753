package dev.switchboard.kafka;

import dev.switchboard.messaging.TransportException;
import java.io.Serial;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.SslAuthenticationException;

/**
 * The broker refused the transport's credentials, or the TLS handshake with it failed. The message
 * names the user and mechanism (or TLS) and the bootstrap address, never a password; the cause is
 * Kafka's own exception.
 *
 * <p>It is a {@link TransportException}, and so retryable in the toolkit's terms, because a
 * credential can be fixed or rotated while the process runs; retrying with the same credentials
 * fails the same way, within the operation or delivery timeout rather than after it.
 */
public final class KafkaAuthenticationException extends TransportException {
  @Serial private static final long serialVersionUID = 1L;

  private KafkaAuthenticationException(String message, Throwable cause) {
    super(message, cause);
  }

  /** Whether {@code error} is Kafka's signal that authentication (SASL or TLS) failed. */
  static boolean isAuthenticationFailure(Throwable error) {
    return error instanceof AuthenticationException;
  }

  /** Describes a failed authentication of the transport with these settings. */
  static KafkaAuthenticationException of(KafkaSettings settings, Throwable cause) {
    String who =
        settings.security().map(KafkaSecurity::principal).orElse("a client without security");
    String message;
    if (cause instanceof SslAuthenticationException) {
      message =
          "TLS handshake with Kafka at bootstrap "
              + settings.bootstrapServers()
              + " failed for "
              + who
              + "; check that the trust store holds the broker's certificate or CA and that the"
              + " certificate names the bootstrap host";
    } else {
      message =
          "Kafka authentication failed for "
              + who
              + " at bootstrap "
              + settings.bootstrapServers()
              + "; check the user name, password and mechanism";
    }
    return new KafkaAuthenticationException(message + " (" + cause.getMessage() + ")", cause);
  }
}
