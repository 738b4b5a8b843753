package dev.switchboard.messaging;

/** The connection to the broker failed or the transport is closed. */
public class TransportException extends RetryableException {
  private static final long serialVersionUID = 1L;

  public TransportException(String message) {
    super(message);
  }

  public TransportException(String message, Throwable cause) {
    super(message, cause);
  }
}
