package dev.switchboard.messaging;

/**
 * A message had nowhere to go: the topic or queue does not exist (and the transport is not allowed
 * to create it), or nothing is bound to receive it.
 */
public final class DestinationNotFoundException extends PublishException {
  private static final long serialVersionUID = 1L;
  private final String destination;

  public DestinationNotFoundException(String destination, String message) {
    super(message);
    this.destination = destination;
  }

  public DestinationNotFoundException(String destination, String message, Throwable cause) {
    super(message, cause);
    this.destination = destination;
  }

  public String destination() {
    return destination;
  }

  @Override
  public boolean isRetryable() {
    return false;
  }
}
