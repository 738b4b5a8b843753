package dev.switchboard.messaging;

/** The encoded payload is larger than the configured limit. Nothing was published. */
public final class PayloadTooLargeException extends FatalMessageException {
  private static final long serialVersionUID = 1L;
  private final int size;
  private final int limit;

  public PayloadTooLargeException(String destination, int size, int limit) {
    super(
        "payload of "
            + size
            + " bytes for '"
            + destination
            + "' exceeds the limit of "
            + limit
            + " bytes; raise Messaging.builder().maxPayloadBytes(..) or send a smaller message");
    this.size = size;
    this.limit = limit;
  }

  public int size() {
    return size;
  }

  public int limit() {
    return limit;
  }
}
