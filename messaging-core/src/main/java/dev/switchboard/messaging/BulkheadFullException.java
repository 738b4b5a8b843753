package dev.switchboard.messaging;

/**
 * The requester already has its maximum number of requests in flight. The call was refused without
 * being sent, instead of queueing without bound.
 */
public class BulkheadFullException extends RetryableException {
  private static final long serialVersionUID = 1L;

  public BulkheadFullException(String message) {
    super(message);
  }

  public BulkheadFullException(String message, Throwable cause) {
    super(message, cause);
  }
}
