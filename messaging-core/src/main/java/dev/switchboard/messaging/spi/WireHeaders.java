package dev.switchboard.messaging.spi;

import dev.switchboard.messaging.Envelope;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import org.jspecify.annotations.Nullable;

/**
 * The header names every transport writes, and the lenient reader that turns them back into an
 * {@link Envelope}. Values are UTF-8 strings; times are ISO-8601 instants in UTC.
 *
 * <p>The names follow the CloudEvents binary mode ({@code ce_id}, {@code ce_type}, ...) for the
 * fields CloudEvents defines, and {@code sb_*} for the rest. The full table is in {@code
 * docs/wire-format.md}. Readers are lenient: a missing header takes its default, and a garbled one
 * is reported as a problem instead of throwing, so that one bad message never stops a consumer.
 */
public final class WireHeaders {
  public static final String ID = "ce_id";
  public static final String TYPE = "ce_type";
  public static final String SOURCE = "ce_source";
  public static final String TIME = "ce_time";
  public static final String SPEC_VERSION = "ce_specversion";
  public static final String CONTENT_TYPE = "content-type";
  public static final String CORRELATION_ID = "sb_correlationid";
  public static final String CAUSATION_ID = "sb_causationid";
  public static final String REPLY_TO = "sb_replyto";
  public static final String DEADLINE = "sb_deadline";
  public static final String ATTEMPT = "sb_attempt";

  /** Present when the message carries a key and the transport has no native key field. */
  public static final String KEY = "sb_key";

  /** Error replies: the remote exception's class name. */
  public static final String ERROR_TYPE = "sb_error_type";

  /** Error replies: the remote exception's message. */
  public static final String ERROR_MESSAGE = "sb_error_message";

  /** Error replies: whether the remote failure is retryable ({@code true}/{@code false}). */
  public static final String ERROR_RETRYABLE = "sb_error_retryable";

  /** The CloudEvents version written in {@link #SPEC_VERSION}. */
  public static final String CLOUDEVENTS_VERSION = "1.0";

  private static final java.util.Set<String> STANDARD =
      java.util.Set.of(
          ID,
          TYPE,
          SOURCE,
          TIME,
          SPEC_VERSION,
          CONTENT_TYPE,
          CORRELATION_ID,
          CAUSATION_ID,
          REPLY_TO,
          DEADLINE,
          ATTEMPT,
          KEY);

  /**
   * Whether {@code name} is one of the envelope fields above ({@code ce_id}, {@code sb_attempt},
   * ...).
   */
  public static boolean isStandard(String name) {
    return STANDARD.contains(name);
  }

  /** Whether a header name belongs to the toolkit or a broker rather than the user. */
  public static boolean isReserved(String name) {
    String lower = name.toLowerCase(java.util.Locale.ROOT);
    return lower.startsWith("ce_")
        || lower.startsWith("sb_")
        || lower.startsWith("x-")
        || lower.equals(CONTENT_TYPE);
  }

  private WireHeaders() {}

  /** Where the envelope's key travels. */
  public enum Key {
    /** As the {@link #KEY} header, for transports without a key field (RabbitMQ). */
    IN_HEADER,
    /** In the transport's own key field (the Kafka record key); no header is written. */
    NATIVE
  }

  /**
   * Writes every envelope field except the key, then the user headers, to {@code out}. Absent
   * optional fields are not written. The attempt is always written.
   */
  public static void write(Envelope e, Key key, BiConsumer<String, String> out) {
    out.accept(ID, e.id());
    if (!e.type().isEmpty()) {
      out.accept(TYPE, e.type());
    }
    if (!e.source().isEmpty()) {
      out.accept(SOURCE, e.source());
    }
    out.accept(TIME, IsoInstant.format(e.time()));
    out.accept(SPEC_VERSION, CLOUDEVENTS_VERSION);
    out.accept(CONTENT_TYPE, e.contentType());
    e.correlationId().ifPresent(v -> out.accept(CORRELATION_ID, v));
    e.causationId().ifPresent(v -> out.accept(CAUSATION_ID, v));
    e.replyTo().ifPresent(v -> out.accept(REPLY_TO, v));
    e.deadline().ifPresent(v -> out.accept(DEADLINE, IsoInstant.format(v)));
    out.accept(ATTEMPT, Integer.toString(e.attempt()));
    if (key == Key.IN_HEADER) {
      e.key().ifPresent(v -> out.accept(KEY, v));
    }
    e.headers().forEach(out);
  }

  /** The same as {@link #write} into a new ordered map. */
  public static Map<String, String> toMap(Envelope e, Key key) {
    Map<String, String> map = new LinkedHashMap<>(16 + e.headers().size() * 2);
    write(e, key, map::put);
    return map;
  }

  /** Decodes a header value as strict UTF-8, or returns null if it is not valid UTF-8. */
  public static @Nullable String utf8(byte @Nullable [] value) {
    if (value == null) {
      return null;
    }
    // The JDK's decoder has an intrinsic fast path for ASCII and valid UTF-8, but replaces
    // malformed input with U+FFFD instead of reporting it; only a value that then holds U+FFFD
    // (malformed, or a real U+FFFD) is decoded again strictly to tell the two apart.
    String lenient = new String(value, StandardCharsets.UTF_8);
    if (lenient.indexOf('\uFFFD') < 0) {
      return lenient;
    }
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(java.nio.ByteBuffer.wrap(value))
          .toString();
    } catch (CharacterCodingException e) {
      return null;
    }
  }

  /** The result of reading headers: the envelope, and what could not be read. */
  public record Read(Envelope envelope, List<String> problems) {
    public Read {
      problems = List.copyOf(problems);
    }
  }

  /**
   * Reads an envelope from transport headers. {@code headers} holds every header by name, {@code
   * key} is the transport's native key if it has one (else {@link #KEY} is used), and {@code
   * fallbackTime} stands in for a missing {@code ce_time}. Every header that is not one of the
   * standard ones above becomes a header of the envelope, so messages from plain clients keep
   * theirs and dead letters keep their {@code sb_failure_*} headers.
   */
  public static Read read(Map<String, String> headers, @Nullable String key, Instant fallbackTime) {
    List<String> problems = new ArrayList<>(0);
    Envelope.Builder b = Envelope.builder();
    String id = headers.get(ID);
    if (id != null && !id.isEmpty()) {
      b.id(id);
    }
    b.type(headers.getOrDefault(TYPE, ""));
    b.source(headers.getOrDefault(SOURCE, ""));
    Instant time = instant(headers.get(TIME), TIME, problems);
    b.time(time != null ? time : fallbackTime);
    String contentType = headers.get(CONTENT_TYPE);
    if (contentType != null && !contentType.isEmpty()) {
      b.contentType(contentType);
    }
    b.correlationId(headers.get(CORRELATION_ID));
    b.causationId(headers.get(CAUSATION_ID));
    b.replyTo(headers.get(REPLY_TO));
    b.deadline(instant(headers.get(DEADLINE), DEADLINE, problems));
    String attempt = headers.get(ATTEMPT);
    if (attempt != null) {
      try {
        int n = Integer.parseInt(attempt.trim());
        if (n < 1) {
          problems.add("header " + ATTEMPT + " must be >= 1, was '" + attempt + "'");
        } else {
          b.attempt(n);
        }
      } catch (NumberFormatException e) {
        problems.add("header " + ATTEMPT + " is not a number: '" + clip(attempt) + "'");
      }
    }
    b.key(key != null ? key : headers.get(KEY));
    for (Map.Entry<String, String> h : headers.entrySet()) {
      if (!h.getKey().isEmpty() && !STANDARD.contains(h.getKey())) {
        b.header(h.getKey(), h.getValue());
      }
    }
    return new Read(b.build(), problems);
  }

  private static @Nullable Instant instant(
      @Nullable String raw, String name, List<String> problems) {
    if (raw == null || raw.isEmpty()) {
      return null;
    }
    try {
      return IsoInstant.parse(raw.trim());
    } catch (DateTimeParseException e) {
      problems.add("header " + name + " is not an ISO-8601 instant: '" + clip(raw) + "'");
      return null;
    }
  }

  private static String clip(String raw) {
    return raw.length() <= 64 ? raw : raw.substring(0, 64) + "...";
  }
}
