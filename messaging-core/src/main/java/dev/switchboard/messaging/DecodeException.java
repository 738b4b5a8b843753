package dev.switchboard.messaging;

/**
 * The payload could not be turned into a value: malformed bytes, an unknown logical type name, or a
 * type that does not fit the handler. Always fatal: the message is dead-lettered with its bytes
 * intact and is decoded at most once.
 */
public class DecodeException extends FatalMessageException {
  private static final long serialVersionUID = 1L;

  public DecodeException(String message) {
    super(message);
  }

  public DecodeException(String message, Throwable cause) {
    super(message, cause);
  }
}
