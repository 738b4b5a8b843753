package dev.switchboard.messaging;

/**
 * The root of every exception Switchboard raises. All are unchecked.
 *
 * <p>{@link #isRetryable()} tells whether trying the same operation again may succeed (a broker
 * outage, a timeout, an open circuit) or cannot (bad data, a missing destination, a payload over
 * the size limit). The retry engine uses it when it classifies a handler's failure.
 */
public class MessagingException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public MessagingException(String message) {
    super(message);
  }

  public MessagingException(String message, Throwable cause) {
    super(message, cause);
  }

  /** Whether repeating the operation that failed may succeed. */
  public boolean isRetryable() {
    return false;
  }
}
