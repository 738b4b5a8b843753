package dev.switchboard.rabbit;

import com.rabbitmq.client.AuthenticationFailureException;
import dev.switchboard.messaging.TransportException;
import java.io.Serial;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.util.Locale;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLPeerUnverifiedException;
import org.jspecify.annotations.Nullable;

/**
 * The broker refused the transport's credentials, or the TLS handshake with it failed (the broker's
 * certificate is not trusted or does not name its host). The message names the broker with the
 * password masked, and says which of the two happened and what to check; the cause is the client
 * library's own exception.
 *
 * <p>It is a {@link TransportException}, and so retryable in the toolkit's terms, because a
 * credential or a certificate can be fixed while the process runs; building a transport again with
 * the same settings fails the same way, as quickly.
 */
public final class RabbitAuthenticationException extends TransportException {
  @Serial private static final long serialVersionUID = 1L;

  private RabbitAuthenticationException(String message, Throwable cause) {
    super(message, cause);
  }

  /**
   * The failure a connection attempt with these settings ended in, if it was a refused login or a
   * failed TLS handshake; null for anything else (the broker is down, a timeout).
   */
  static @Nullable RabbitAuthenticationException of(RabbitSettings settings, Throwable failure) {
    int depth = 0;
    for (Throwable e = failure; e != null && depth < 16; e = e.getCause(), depth++) {
      if (e instanceof AuthenticationFailureException) {
        return new RabbitAuthenticationException(
            "RabbitMQ authentication failed for user '"
                + settings.username()
                + "' at "
                + settings.brokerUri()
                + " ("
                + e.getMessage()
                + "); check the user name, the password and the user's access to virtual host '"
                + settings.virtualHost()
                + "'",
            failure);
      }
      if (e instanceof SSLException && isAboutTrust(e)) {
        return new RabbitAuthenticationException(
            "TLS handshake with RabbitMQ at "
                + settings.brokerUri()
                + " failed ("
                + e.getMessage()
                + "); check that the trust store holds the broker's certificate or its CA, and"
                + " that the certificate names host '"
                + settings.host()
                + "'",
            failure);
      }
    }
    return null;
  }

  /**
   * Whether a TLS failure is about the broker's certificate (untrusted, expired, naming another
   * host), as opposed to a peer that does not speak TLS at all, which is a wrong port.
   */
  private static boolean isAboutTrust(Throwable tlsFailure) {
    if (tlsFailure instanceof SSLPeerUnverifiedException) {
      return true;
    }
    int depth = 0;
    for (Throwable e = tlsFailure; e != null && depth < 16; e = e.getCause(), depth++) {
      if (e instanceof CertificateException || e instanceof CertPathValidatorException) {
        return true;
      }
    }
    return tlsFailure instanceof SSLHandshakeException
        && String.valueOf(tlsFailure.getMessage()).toLowerCase(Locale.ROOT).contains("certificate");
  }
}
