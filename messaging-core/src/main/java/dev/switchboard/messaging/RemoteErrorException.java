package dev.switchboard.messaging;

/**
 * The responder's handler failed and sent an error reply. {@link #remoteType()} is the class name
 * of the exception it threw and {@link #remoteMessage()} its message; no stack trace or object
 * crosses the wire.
 */
public final class RemoteErrorException extends MessagingException {
  private static final long serialVersionUID = 1L;
  private final String remoteType;
  private final String remoteMessage;
  private final boolean remoteRetryable;

  public RemoteErrorException(String remoteType, String remoteMessage, boolean remoteRetryable) {
    super(remoteType + ": " + remoteMessage);
    this.remoteType = remoteType;
    this.remoteMessage = remoteMessage;
    this.remoteRetryable = remoteRetryable;
  }

  public String remoteType() {
    return remoteType;
  }

  public String remoteMessage() {
    return remoteMessage;
  }

  @Override
  public boolean isRetryable() {
    return remoteRetryable;
  }
}
