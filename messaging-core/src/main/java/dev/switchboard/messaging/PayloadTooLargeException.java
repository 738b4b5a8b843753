package dev.switchboard.messaging;

/**
 * The encoded payload is larger than a limit: the toolkit's own, the client's, or the broker's for
 * that destination. Nothing was published.
 */
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

  /**
   * The broker refused the message as too large for the destination, by a limit of its own that the
   * client does not know; {@link #limit()} is then -1.
   *
   * @param brokerLimit what the broker's limit is called, for the message (for example {@code "the
   *     topic's max.message.bytes"})
   */
  public PayloadTooLargeException(
      String destination, int size, String brokerLimit, Throwable cause) {
    super(
        "the broker refused a message of about "
            + size
            + " bytes for '"
            + destination
            + "' as too large: "
            + brokerLimit
            + " is below that; raise it or send a smaller message",
        cause);
    this.size = size;
    this.limit = -1;
  }

  public int size() {
    return size;
  }

  /** The limit in bytes, or -1 when it is the broker's and the client does not know it. */
  public int limit() {
    return limit;
  }
}
