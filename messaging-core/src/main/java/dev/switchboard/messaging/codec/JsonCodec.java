package dev.switchboard.messaging.codec;

import dev.switchboard.messaging.DecodeException;
import dev.switchboard.messaging.EncodeException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.ObjectReader;
import tools.jackson.databind.ObjectWriter;
import tools.jackson.databind.json.JsonMapper;

/**
 * JSON through Jackson 3. The default codec.
 *
 * <p>No default typing and no class names on the wire: the logical type travels in the envelope,
 * and the {@link TypeRegistry} maps it to a class on the reading side. Unknown properties are
 * ignored, so producers can add fields before consumers know them; trailing garbage after the JSON
 * value is an error. One {@link ObjectReader} and {@link ObjectWriter} per class is built on first
 * use and reused.
 */
public final class JsonCodec implements Codec {
  public static final String CONTENT_TYPE = "application/json";
  private final JsonMapper mapper;
  private final ConcurrentMap<Class<?>, ObjectReader> readers = new ConcurrentHashMap<>();
  private final ConcurrentMap<Class<?>, ObjectWriter> writers = new ConcurrentHashMap<>();

  private JsonCodec(JsonMapper mapper) {
    this.mapper = mapper;
  }

  /** A codec with Switchboard's defaults. */
  public static JsonCodec create() {
    return new JsonCodec(defaultMapper());
  }

  /**
   * A codec on the caller's mapper, for custom modules or naming strategies. Do not enable default
   * typing on it: it would let a message choose which class is instantiated.
   */
  public static JsonCodec using(JsonMapper mapper) {
    return new JsonCodec(mapper);
  }

  /** The mapper {@link #create()} uses, for callers that want to start from it. */
  public static JsonMapper defaultMapper() {
    return JsonMapper.builder()
        .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
        .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
        .build();
  }

  @Override
  public String contentType() {
    return CONTENT_TYPE;
  }

  @Override
  public byte[] encode(Object value) {
    try {
      return writers.computeIfAbsent(value.getClass(), mapper::writerFor).writeValueAsBytes(value);
    } catch (JacksonException e) {
      throw new EncodeException(
          "cannot encode " + value.getClass().getName() + " as JSON: " + e.getOriginalMessage(), e);
    }
  }

  @Override
  public <T> T decode(byte[] body, Class<T> type) {
    if (body.length == 0) {
      throw new DecodeException("empty body cannot be decoded as JSON " + type.getName());
    }
    try {
      T value = readers.computeIfAbsent(type, mapper::readerFor).readValue(body);
      if (value == null) {
        throw new DecodeException("JSON null cannot be decoded as " + type.getName());
      }
      return value;
    } catch (JacksonException e) {
      throw new DecodeException(
          "malformed JSON for " + type.getName() + ": " + e.getOriginalMessage(), e);
    }
  }
}
