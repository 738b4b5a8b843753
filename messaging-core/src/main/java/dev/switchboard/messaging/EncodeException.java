package dev.switchboard.messaging;

/** A value could not be encoded into bytes by the codec. Nothing was published. */
public class EncodeException extends FatalMessageException {
  private static final long serialVersionUID = 1L;

  public EncodeException(String message) {
    super(message);
  }

  public EncodeException(String message, Throwable cause) {
    super(message, cause);
  }
}
