package dev.switchboard.messaging.codec;

import dev.switchboard.messaging.DecodeException;
import dev.switchboard.messaging.EncodeException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/** UTF-8 text, {@code text/plain}. Invalid UTF-8 is a decode failure, not a lossy string. */
public final class StringCodec implements Codec {
  public static final String CONTENT_TYPE = "text/plain";

  @Override
  public String contentType() {
    return CONTENT_TYPE;
  }

  @Override
  public byte[] encode(Object value) {
    if (value instanceof CharSequence text) {
      return text.toString().getBytes(StandardCharsets.UTF_8);
    }
    throw new EncodeException("the string codec takes text, not " + value.getClass().getName());
  }

  @Override
  public <T> T decode(byte[] body, Class<T> type) {
    if (type != String.class && type != Object.class && type != CharSequence.class) {
      throw new DecodeException("the string codec yields String, not " + type.getName());
    }
    try {
      return type.cast(
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(body))
              .toString());
    } catch (CharacterCodingException e) {
      throw new DecodeException("payload is not valid UTF-8 text", e);
    }
  }
}
