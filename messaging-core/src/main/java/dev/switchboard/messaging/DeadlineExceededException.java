package dev.switchboard.messaging;

/** The message's deadline passed before it could be handled or answered. */
public class DeadlineExceededException extends FatalMessageException {
  private static final long serialVersionUID = 1L;

  public DeadlineExceededException(String message) {
    super(message);
  }

  public DeadlineExceededException(String message, Throwable cause) {
    super(message, cause);
  }
}
