package dev.switchboard.messaging;

/**
 * A circuit breaker is open: the call was refused without being sent, because recent calls to the
 * same destination failed.
 */
public class CircuitOpenException extends RetryableException {
  private static final long serialVersionUID = 1L;

  public CircuitOpenException(String message) {
    super(message);
  }

  public CircuitOpenException(String message, Throwable cause) {
    super(message, cause);
  }
}
