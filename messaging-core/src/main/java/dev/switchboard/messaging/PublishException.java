package dev.switchboard.messaging;

/**
 * The transport did not durably accept a message: the broker refused it, did not confirm it in
 * time, or could not be reached. Nothing is known to be stored; the caller may publish again.
 */
public class PublishException extends RetryableException {
  private static final long serialVersionUID = 1L;

  public PublishException(String message) {
    super(message);
  }

  public PublishException(String message, Throwable cause) {
    super(message, cause);
  }
}
