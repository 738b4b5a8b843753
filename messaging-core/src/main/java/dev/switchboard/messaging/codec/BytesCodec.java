package dev.switchboard.messaging.codec;

import dev.switchboard.messaging.DecodeException;
import dev.switchboard.messaging.EncodeException;

/** Raw bytes, {@code application/octet-stream}: the payload is the value. */
public final class BytesCodec implements Codec {
  public static final String CONTENT_TYPE = "application/octet-stream";

  @Override
  public String contentType() {
    return CONTENT_TYPE;
  }

  @Override
  public byte[] encode(Object value) {
    if (value instanceof byte[] bytes) {
      return bytes;
    }
    throw new EncodeException("the bytes codec takes byte[], not " + value.getClass().getName());
  }

  @Override
  public <T> T decode(byte[] body, Class<T> type) {
    if (type == byte[].class || type == Object.class) {
      return type.cast(body);
    }
    throw new DecodeException("the bytes codec yields byte[], not " + type.getName());
  }
}
