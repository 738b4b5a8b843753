package dev.switchboard.messaging;

import dev.switchboard.messaging.HeadersTooLargeException.Measure;
import java.util.Map;
import java.util.Optional;

/**
 * The limits on a message's headers: how many, and how many UTF-8 bytes of names and values
 * together. The envelope's own fields ({@code ce_id}, {@code sb_attempt}, ...) are not headers here
 * and never count.
 *
 * <p>Outgoing messages are checked against the limits exactly, before anything is sent. Received
 * messages are checked against the limits plus a fixed headroom, {@value #HEADROOM_COUNT} headers
 * and {@value #HEADROOM_BYTES} bytes, because a message on its way gains headers of the toolkit's
 * own that its producer never gave: a broker-tier retry adds the first failure time (and on Kafka
 * the origin topic, partition and offset), a redrive adds its three provenance headers. Together
 * these take at most seven headers and about 1 KiB (destination names are at most 200 characters,
 * Kafka's derived topic names 249), so a message published at the limits is never refused later on
 * its way. The toolkit's publishes (retries, dead letters, redrives) are never checked: a dead
 * letter's failure envelope is added to a message that was accepted already.
 *
 * @param maxCount the most headers an outgoing message may carry, from 0
 * @param maxBytes the most UTF-8 bytes of header names and values together, from 0
 */
record HeaderLimits(int maxCount, int maxBytes) {
  /** The default of {@code maxHeaders}; see {@link Messaging.Builder#maxHeaders(int)}. */
  static final int DEFAULT_COUNT = 1000;

  /** The default of {@code maxHeaderBytes}; see {@link Messaging.Builder#maxHeaderBytes(int)}. */
  static final int DEFAULT_BYTES = 80 * 1024;

  /** Headers a received message may carry beyond {@link #maxCount}, for the toolkit's own. */
  static final int HEADROOM_COUNT = 16;

  /** Bytes a received message's headers may take beyond {@link #maxBytes}, likewise. */
  static final int HEADROOM_BYTES = 4096;

  HeaderLimits {
    if (maxCount < 0) {
      throw new IllegalArgumentException("maxHeaders must be >= 0, was " + maxCount);
    }
    if (maxBytes < 0) {
      throw new IllegalArgumentException("maxHeaderBytes must be >= 0, was " + maxBytes);
    }
  }

  static HeaderLimits defaults() {
    return new HeaderLimits(DEFAULT_COUNT, DEFAULT_BYTES);
  }

  /**
   * Checks the headers of a message about to be sent to {@code destination}.
   *
   * @throws HeadersTooLargeException if they are over either limit
   */
  void checkOutgoing(String destination, Map<String, String> headers) {
    if (headers.isEmpty()) {
      return;
    }
    if (headers.size() > maxCount) {
      throw new HeadersTooLargeException(destination, Measure.COUNT, headers.size(), maxCount);
    }
    int bytes = utf8Bytes(headers);
    if (bytes > maxBytes) {
      throw new HeadersTooLargeException(destination, Measure.BYTES, bytes, maxBytes);
    }
  }

  /**
   * Checks the headers of a message received on {@code destination}, with the headroom for the
   * toolkit's own; the failure to dead-letter it with, if they are over a limit.
   */
  Optional<HeadersTooLargeException> checkReceived(
      String destination, Map<String, String> headers) {
    if (headers.isEmpty()) {
      return Optional.empty();
    }
    if ((long) headers.size() > (long) maxCount + HEADROOM_COUNT) {
      return Optional.of(
          HeadersTooLargeException.received(
              destination, Measure.COUNT, headers.size(), maxCount, HEADROOM_COUNT));
    }
    int bytes = utf8Bytes(headers);
    if ((long) bytes > (long) maxBytes + HEADROOM_BYTES) {
      return Optional.of(
          HeadersTooLargeException.received(
              destination, Measure.BYTES, bytes, maxBytes, HEADROOM_BYTES));
    }
    return Optional.empty();
  }

  /** The UTF-8 bytes of every name and value; saturates at {@link Integer#MAX_VALUE}. */
  static int utf8Bytes(Map<String, String> headers) {
    long total = 0;
    for (Map.Entry<String, String> h : headers.entrySet()) {
      total += utf8Length(h.getKey()) + utf8Length(h.getValue());
    }
    return (int) Math.min(Integer.MAX_VALUE, total);
  }

  /**
   * The length of {@code s} in UTF-8, counted without encoding it: as the JDK's encoder writes it,
   * so a lone surrogate counts as the one byte of its replacement {@code '?'}.
   */
  static long utf8Length(String s) {
    int n = s.length();
    long bytes = n;
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        continue;
      }
      if (c < 0x800) {
        bytes += 1;
      } else if (Character.isHighSurrogate(c)
          && i + 1 < n
          && Character.isLowSurrogate(s.charAt(i + 1))) {
        bytes += 2; // two chars, four bytes
        i++;
      } else if (!Character.isSurrogate(c)) {
        bytes += 2;
      }
    }
    return bytes;
  }
}
