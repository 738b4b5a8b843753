package dev.switchboard.messaging.codec;

/**
 * Turns values into payload bytes and back, for one content type. Implementations are thread-safe
 * and build their readers and writers once, not per message.
 *
 * <p>Failures are {@link dev.switchboard.messaging.EncodeException} and {@link
 * dev.switchboard.messaging.DecodeException}; a codec never returns null for bytes it could not
 * read.
 */
public interface Codec {
  /** The MIME type this codec writes, such as {@code application/json}. */
  String contentType();

  /** Encodes {@code value}; never returns null. */
  byte[] encode(Object value);

  /** Decodes {@code body} as an instance of {@code type}; never returns null. */
  <T> T decode(byte[] body, Class<T> type);
}
