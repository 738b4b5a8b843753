package dev.switchboard.messaging;

/**
 * No reply arrived before the request's timeout (or its inherited deadline). A reply that arrives
 * later is dropped and counted.
 */
public class RequestTimeoutException extends RetryableException {
  private static final long serialVersionUID = 1L;

  public RequestTimeoutException(String message) {
    super(message);
  }

  public RequestTimeoutException(String message, Throwable cause) {
    super(message, cause);
  }
}
