package dev.switchboard.messaging;

import dev.switchboard.messaging.codec.BytesCodec;
import dev.switchboard.messaging.codec.Codec;
import dev.switchboard.messaging.codec.JsonCodec;
import dev.switchboard.messaging.codec.StringCodec;
import dev.switchboard.messaging.codec.TypeRegistry;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Encoding and decoding of payloads against the type registry and the codecs, by content type.
 * Built once per {@link Messaging}; lookups are map reads, so the hot path allocates nothing but
 * the bytes and the value.
 */
final class Payloads {
  /** The encoded form of an outgoing value. */
  record Encoded(String type, String contentType, byte[] body) {}

  private final TypeRegistry types;
  private final Map<String, Codec> byContentType = new HashMap<>();
  private final Codec json;
  private final Codec bytes = new BytesCodec();
  private final Codec text = new StringCodec();
  private final int maxBytes;

  Payloads(TypeRegistry types, Codec json, List<Codec> extra, int maxBytes) {
    this.types = types;
    this.json = json;
    this.maxBytes = maxBytes;
    byContentType.put(json.contentType(), json);
    byContentType.put(bytes.contentType(), bytes);
    byContentType.put(text.contentType(), text);
    for (Codec c : extra) {
      byContentType.put(normalise(c.contentType()), c);
    }
  }

  int maxBytes() {
    return maxBytes;
  }

  TypeRegistry types() {
    return types;
  }

  /** Encodes {@code value}, enforcing the size limit. */
  Encoded encode(String destination, Object value) {
    String type = types.nameOf(value.getClass()).orElse("");
    Codec codec;
    if (value instanceof byte[]) {
      codec = bytes;
    } else if (value instanceof CharSequence) {
      codec = text;
    } else {
      if (type.isEmpty()) {
        throw new ConfigurationException(
            value.getClass().getName()
                + " has no logical type name; register it with Messaging.builder()"
                + ".register(\"Name\", "
                + value.getClass().getSimpleName()
                + ".class)");
      }
      codec = json;
    }
    byte[] body = codec.encode(value);
    if (body.length > maxBytes) {
      throw new PayloadTooLargeException(destination, body.length, maxBytes);
    }
    return new Encoded(type, codec.contentType(), body);
  }

  /**
   * Decodes a received payload as {@code target}. The envelope's type name picks the class when
   * present; a message without one (from a plain client) is decoded as {@code target} itself.
   */
  <T> T decode(Envelope envelope, byte[] body, Class<T> target) {
    if (target == byte[].class) {
      return target.cast(body);
    }
    String contentType = normalise(envelope.contentType());
    Codec codec = byContentType.get(contentType);
    if (codec == null) {
      if (contentType.startsWith("text/")) {
        codec = text;
      } else if (contentType.endsWith("+json")) {
        codec = json;
      } else {
        throw new DecodeException(
            "no codec for content type '"
                + envelope.contentType()
                + "'; known: "
                + byContentType.keySet());
      }
    }
    if (target == String.class && codec != json) {
      return target.cast(text.decode(body, String.class));
    }
    Class<?> actual = target;
    if (!envelope.type().isEmpty()) {
      actual =
          types
              .classOf(envelope.type())
              .orElseThrow(
                  () ->
                      new DecodeException(
                          "unknown type name '"
                              + envelope.type()
                              + "'; register it with Messaging.builder().register(..)"));
      if (!target.isAssignableFrom(actual)) {
        throw new DecodeException(
            "type '"
                + envelope.type()
                + "' ("
                + actual.getName()
                + ") does not fit the handler's "
                + target.getName());
      }
    } else if (target == Object.class && codec == json) {
      throw new DecodeException("message has no type name and the handler accepts any Object");
    }
    return target.cast(codec.decode(body, actual));
  }

  private static String normalise(String contentType) {
    int semicolon = contentType.indexOf(';');
    String bare = semicolon >= 0 ? contentType.substring(0, semicolon) : contentType;
    return bare.trim().toLowerCase(Locale.ROOT);
  }

  static Payloads defaults(TypeRegistry types) {
    return new Payloads(types, JsonCodec.create(), List.of(), 1 << 20);
  }
}
