package dev.switchboard.messaging;

/**
 * A failure that may go away by itself: a broker outage, a timeout, an overloaded downstream.
 * Handlers may throw it (or a subclass) to ask for a retry explicitly.
 */
public class RetryableException extends MessagingException {
  private static final long serialVersionUID = 1L;

  public RetryableException(String message) {
    super(message);
  }

  public RetryableException(String message, Throwable cause) {
    super(message, cause);
  }

  @Override
  public boolean isRetryable() {
    return true;
  }
}
