package dev.switchboard.messaging;

import java.util.Objects;

/**
 * A message's headers are over a limit of {@link Messaging.Builder#maxHeaders(int)} or {@link
 * Messaging.Builder#maxHeaderBytes(int)}. Never retryable: the same headers break the same limit
 * again.
 *
 * <p>At publish, send and request it fails the returned future and nothing is sent. At consume, a
 * message from another producer whose headers are over the consumer's limits is dead-lettered
 * unhandled with reason {@link FailureReason#HEADER_LIMIT}, and this exception's class and message
 * are written in its failure envelope.
 */
public final class HeadersTooLargeException extends FatalMessageException {
  private static final long serialVersionUID = 1L;

  /** What was measured against which builder setting. */
  public enum Measure {
    /** The number of headers, against {@code maxHeaders}. */
    COUNT("maxHeaders", "headers"),
    /** The UTF-8 bytes of every header name and value together, against {@code maxHeaderBytes}. */
    BYTES("maxHeaderBytes", "bytes of header names and values");

    private final String setting;
    private final String unit;

    Measure(String setting, String unit) {
      this.setting = setting;
      this.unit = unit;
    }

    /** The name of the {@link Messaging.Builder} method that sets this limit. */
    public String setting() {
      return setting;
    }
  }

  private final Measure measure;
  private final int size;
  private final int limit;

  /**
   * Headers refused at publish: {@code size} is over {@code limit} for {@code destination}.
   *
   * @param measure whether {@code size} and {@code limit} count headers or bytes
   */
  public HeadersTooLargeException(String destination, Measure measure, int size, int limit) {
    this(
        measure,
        size,
        limit,
        size
            + " "
            + measure.unit
            + " for '"
            + destination
            + "' exceed the limit of "
            + limit
            + "; raise Messaging.builder()."
            + measure.setting
            + "(..) or send fewer or smaller headers. Nothing was sent");
  }

  private HeadersTooLargeException(Measure measure, int size, int limit, String message) {
    super(message);
    this.measure = Objects.requireNonNull(measure, "measure");
    this.size = size;
    this.limit = limit;
  }

  /**
   * Headers refused at consume. {@code limit} is the configured one plus {@code headroom}, the
   * allowance for the headers the toolkit adds on a message's way (retry, redrive).
   */
  static HeadersTooLargeException received(
      String destination, Measure measure, int size, int configured, int headroom) {
    int limit = (int) Math.min(Integer.MAX_VALUE, (long) configured + headroom);
    return new HeadersTooLargeException(
        measure,
        size,
        limit,
        "a message on '"
            + destination
            + "' arrived with "
            + size
            + " "
            + measure.unit
            + ", over this consumer's limit of "
            + limit
            + " ("
            + measure.setting
            + " "
            + configured
            + " plus "
            + headroom
            + " for the toolkit's own headers); it was not handled. Have its producer send fewer"
            + " or smaller headers, or raise Messaging.builder()."
            + measure.setting
            + "(..) on the consuming side");
  }

  /** Whether {@link #size()} and {@link #limit()} count headers or bytes. */
  public Measure measure() {
    return measure;
  }

  /** The headers' count or bytes, as {@link #measure()} says. */
  public int size() {
    return size;
  }

  /** The limit that {@link #size()} exceeds, in the same unit. */
  public int limit() {
    return limit;
  }
}
