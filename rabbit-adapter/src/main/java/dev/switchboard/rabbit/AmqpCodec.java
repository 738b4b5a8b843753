package dev.switchboard.rabbit;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.LongString;
import dev.switchboard.messaging.Envelope;
import dev.switchboard.messaging.spi.WireHeaders;
import dev.switchboard.messaging.spi.WireMessage;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Maps an {@link Envelope} to AMQP properties and headers and back.
 *
 * <p>Writing: every envelope field goes into a header through {@link WireHeaders#write} (the key as
 * {@code sb_key}); the fields AMQP has a property for are also written there ({@code message-id},
 * {@code correlation-id}, {@code reply-to}, {@code type}, {@code timestamp}, {@code content-type},
 * {@code app-id} = source), so plain AMQP clients and the management UI see them. Messages are
 * persistent. A deadline becomes an {@code expiration} only when asked (requests).
 *
 * <p>Reading is lenient: a header missing from the message is taken from the matching property (so
 * messages from plain clients work), {@code reply-to} always comes from the property because the
 * broker rewrites it for direct reply-to, broker headers ({@code x-*}) are dropped from the user
 * headers, and a header value that is not valid UTF-8 is reported as a problem instead of failing
 * the delivery.
 */
final class AmqpCodec {
  static final int PERSISTENT = 2;

  private AmqpCodec() {}

  /** What a delivery decodes to. */
  record Decoded(WireMessage message, List<String> problems, int deliveryCount) {}

  /**
   * AMQP properties for {@code e}.
   *
   * @param replyToProperty the AMQP {@code reply-to} to send instead of the envelope's (direct
   *     reply-to), or null to use the envelope's; when given, {@code sb_replyto} is left out
   * @param withExpiration whether a deadline becomes the AMQP expiration (requests only)
   */
  static AMQP.BasicProperties properties(
      Envelope e, @Nullable String replyToProperty, boolean withExpiration, Instant now) {
    Map<String, Object> headers = new LinkedHashMap<>(16 + e.headers().size() * 2);
    WireHeaders.write(e, WireHeaders.Key.IN_HEADER, headers::put);
    AMQP.BasicProperties.Builder b =
        new AMQP.BasicProperties.Builder()
            .deliveryMode(PERSISTENT)
            .messageId(e.id())
            .timestamp(Date.from(e.time()))
            .contentType(e.contentType())
            .headers(headers);
    e.correlationId().ifPresent(b::correlationId);
    if (replyToProperty != null) {
      headers.remove(WireHeaders.REPLY_TO);
      b.replyTo(replyToProperty);
    } else {
      e.replyTo().ifPresent(b::replyTo);
    }
    if (!e.type().isEmpty()) {
      b.type(e.type());
    }
    if (!e.source().isEmpty()) {
      b.appId(e.source());
    }
    if (withExpiration && e.deadline().isPresent()) {
      long remaining = Duration.between(now, e.deadline().get()).toMillis();
      b.expiration(Long.toString(Math.max(1, remaining)));
    }
    return b.build();
  }

  /**
   * Decodes a delivery.
   *
   * @param countsDeliveries whether the queue is a quorum queue, whose {@code x-delivery-count}
   *     header counts earlier deliveries
   */
  static Decoded decode(
      AMQP.@Nullable BasicProperties props, byte[] body, boolean countsDeliveries, Instant now) {
    List<String> problems = new ArrayList<>(0);
    Map<String, String> headers = new LinkedHashMap<>();
    int deliveryCount = 0;
    Map<String, Object> raw = props == null ? null : props.getHeaders();
    if (raw != null) {
      for (Map.Entry<String, Object> h : raw.entrySet()) {
        String name = h.getKey();
        if (name.regionMatches(true, 0, "x-", 0, 2)) {
          if (countsDeliveries && name.equalsIgnoreCase("x-delivery-count")) {
            deliveryCount = earlierDeliveries(h.getValue());
          }
          continue;
        }
        String value = text(h.getValue());
        if (value == null) {
          problems.add("header '" + name + "' is not valid UTF-8");
        } else {
          headers.put(name, value);
        }
      }
    }
    if (props != null) {
      fallback(headers, WireHeaders.ID, props.getMessageId());
      fallback(headers, WireHeaders.TYPE, props.getType());
      fallback(headers, WireHeaders.SOURCE, props.getAppId());
      fallback(headers, WireHeaders.CONTENT_TYPE, props.getContentType());
      fallback(headers, WireHeaders.CORRELATION_ID, props.getCorrelationId());
      Date timestamp = props.getTimestamp();
      if (timestamp != null) {
        fallback(headers, WireHeaders.TIME, timestamp.toInstant().toString());
      }
      if (props.getReplyTo() != null && !props.getReplyTo().isEmpty()) {
        headers.put(WireHeaders.REPLY_TO, props.getReplyTo());
      }
    }
    WireHeaders.Read read = WireHeaders.read(headers, null, now);
    if (!read.problems().isEmpty()) {
      problems.addAll(read.problems());
    }
    WireMessage message = new WireMessage(read.envelope(), body);
    return new Decoded(message, problems, countsDeliveries ? deliveryCount + 1 : 0);
  }

  private static void fallback(Map<String, String> headers, String name, @Nullable String value) {
    if (value != null && !value.isEmpty() && !headers.containsKey(name)) {
      headers.put(name, value);
    }
  }

  private static int earlierDeliveries(@Nullable Object value) {
    if (value instanceof Number n) {
      long v = n.longValue();
      return (int) Math.max(0, Math.min(Integer.MAX_VALUE - 1, v));
    }
    return 0;
  }

  /** A header value as text, or null when it holds bytes that are not UTF-8. */
  private static @Nullable String text(@Nullable Object value) {
    if (value == null) {
      return "";
    }
    if (value instanceof String s) {
      return s;
    }
    if (value instanceof LongString ls) {
      return WireHeaders.utf8(ls.getBytes());
    }
    if (value instanceof byte[] bytes) {
      return WireHeaders.utf8(bytes);
    }
    if (value instanceof Date d) {
      return d.toInstant().toString();
    }
    if (value instanceof BigDecimal d) {
      return d.toPlainString();
    }
    if (value instanceof List<?> list) {
      List<String> items = new ArrayList<>(list.size());
      for (Object item : list) {
        String t = text(item);
        if (t == null) {
          return null;
        }
        items.add(t);
      }
      return items.toString();
    }
    if (value instanceof Map<?, ?> table) {
      Map<String, String> items = new LinkedHashMap<>();
      for (Map.Entry<?, ?> item : table.entrySet()) {
        String t = text(item.getValue());
        if (t == null) {
          return null;
        }
        items.put(String.valueOf(item.getKey()), t);
      }
      return items.toString();
    }
    return value.toString();
  }
}
