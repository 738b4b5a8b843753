package dev.switchboard.messaging;

/**
 * A failure that retrying cannot fix, such as invalid data. A handler that throws it sends the
 * message straight to the dead-letter queue on the first attempt.
 */
public class FatalMessageException extends MessagingException {
  private static final long serialVersionUID = 1L;

  public FatalMessageException(String message) {
    super(message);
  }

  public FatalMessageException(String message, Throwable cause) {
    super(message, cause);
  }
}
