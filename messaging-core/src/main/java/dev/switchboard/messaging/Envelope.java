package dev.switchboard.messaging;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import org.jspecify.annotations.Nullable;

/**
 * The metadata that travels with every message, independent of the transport. Immutable and
 * thread-safe.
 *
 * <p>The id is unique per message (a random UUID unless one is given) and is kept across retries
 * and redeliveries, so a handler can use it to recognise a duplicate. The attempt starts at 1 and
 * is carried on the wire, so it survives a consumer crash. User headers are string-to-string; names
 * starting with {@code ce_}, {@code sb_} or {@code x-} are reserved for the toolkit and the
 * brokers.
 */
public final class Envelope {
  private final String id;
  private final String type;
  private final String source;
  private final Instant time;
  private final @Nullable String key;
  private final @Nullable String correlationId;
  private final @Nullable String causationId;
  private final @Nullable String replyTo;
  private final @Nullable Instant deadline;
  private final int attempt;
  private final Map<String, String> headers;
  private final String contentType;

  private Envelope(Builder b) {
    this.id = b.id != null ? b.id : newId();
    this.type = b.type;
    this.source = b.source;
    this.time = b.time != null ? b.time : Instant.now();
    this.key = b.key;
    this.correlationId = b.correlationId;
    this.causationId = b.causationId;
    this.replyTo = b.replyTo;
    this.deadline = b.deadline;
    this.attempt = b.attempt;
    this.headers =
        b.headers == null || b.headers.isEmpty()
            ? Map.of()
            : Collections.unmodifiableMap(new LinkedHashMap<>(b.headers));
    this.contentType = b.contentType;
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * A random (version 4) UUID from {@link ThreadLocalRandom}: unique, not secret. {@code
   * UUID.randomUUID()} draws from a locked {@code SecureRandom}, which costs more than the rest of
   * building a message.
   */
  static String newId() {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    long msb = (r.nextLong() & 0xffffffffffff0fffL) | 0x0000000000004000L;
    long lsb = (r.nextLong() & 0x3fffffffffffffffL) | 0x8000000000000000L;
    return new UUID(msb, lsb).toString();
  }

  /** A builder that starts from every field of this envelope. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.id = id;
    b.type = type;
    b.source = source;
    b.time = time;
    b.key = key;
    b.correlationId = correlationId;
    b.causationId = causationId;
    b.replyTo = replyTo;
    b.deadline = deadline;
    b.attempt = attempt;
    if (!headers.isEmpty()) {
      b.headers = new LinkedHashMap<>(headers);
    }
    b.contentType = contentType;
    return b;
  }

  /** Unique id of the message; the same on every retry of it. */
  public String id() {
    return id;
  }

  /** Logical type name, mapped to a class by the {@code TypeRegistry}; empty when unknown. */
  public String type() {
    return type;
  }

  /** The service or component that produced the message; empty when unknown. */
  public String source() {
    return source;
  }

  /** When the message was first created. */
  public Instant time() {
    return time;
  }

  /** The ordering key: messages with the same key keep their order where the transport can. */
  public Optional<String> key() {
    return Optional.ofNullable(key);
  }

  /** Ties a reply to its request; set by the toolkit on requests. */
  public Optional<String> correlationId() {
    return Optional.ofNullable(correlationId);
  }

  /** The id of the message whose handling caused this one. */
  public Optional<String> causationId() {
    return Optional.ofNullable(causationId);
  }

  /** Where the answer to a request should be sent; transport-specific and opaque. */
  public Optional<String> replyTo() {
    return Optional.ofNullable(replyTo);
  }

  /** After this instant the message is no longer worth handling. */
  public Optional<Instant> deadline() {
    return Optional.ofNullable(deadline);
  }

  /** The delivery attempt this message is on, from 1. */
  public int attempt() {
    return attempt;
  }

  /** User headers, in insertion order; unmodifiable. */
  public Map<String, String> headers() {
    return headers;
  }

  /** The MIME type of the payload, which selects the codec. */
  public String contentType() {
    return contentType;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Envelope e
        && id.equals(e.id)
        && type.equals(e.type)
        && source.equals(e.source)
        && time.equals(e.time)
        && Objects.equals(key, e.key)
        && Objects.equals(correlationId, e.correlationId)
        && Objects.equals(causationId, e.causationId)
        && Objects.equals(replyTo, e.replyTo)
        && Objects.equals(deadline, e.deadline)
        && attempt == e.attempt
        && headers.equals(e.headers)
        && contentType.equals(e.contentType);
  }

  @Override
  public int hashCode() {
    return id.hashCode();
  }

  @Override
  public String toString() {
    return "Envelope{id="
        + id
        + ", type="
        + type
        + ", key="
        + key
        + ", attempt="
        + attempt
        + (correlationId != null ? ", correlationId=" + correlationId : "")
        + (deadline != null ? ", deadline=" + deadline : "")
        + ", headers="
        + headers.size()
        + "}";
  }

  /** Builds an {@link Envelope}; every setting is optional. Not thread-safe. */
  public static final class Builder {
    private @Nullable String id;
    private String type = "";
    private String source = "";
    private @Nullable Instant time;
    private @Nullable String key;
    private @Nullable String correlationId;
    private @Nullable String causationId;
    private @Nullable String replyTo;
    private @Nullable Instant deadline;
    private int attempt = 1;

    /** Made on the first header: most messages carry none. */
    private @Nullable Map<String, String> headers;

    private String contentType = "application/json";

    private Builder() {}

    public Builder id(String id) {
      this.id = requireText(id, "id");
      return this;
    }

    public Builder type(String type) {
      this.type = Objects.requireNonNull(type, "type");
      return this;
    }

    public Builder source(String source) {
      this.source = Objects.requireNonNull(source, "source");
      return this;
    }

    public Builder time(Instant time) {
      this.time = Objects.requireNonNull(time, "time");
      return this;
    }

    public Builder key(@Nullable String key) {
      this.key = key;
      return this;
    }

    public Builder correlationId(@Nullable String correlationId) {
      this.correlationId = correlationId;
      return this;
    }

    public Builder causationId(@Nullable String causationId) {
      this.causationId = causationId;
      return this;
    }

    public Builder replyTo(@Nullable String replyTo) {
      this.replyTo = replyTo;
      return this;
    }

    public Builder deadline(@Nullable Instant deadline) {
      this.deadline = deadline;
      return this;
    }

    public Builder attempt(int attempt) {
      if (attempt < 1) {
        throw new IllegalArgumentException("attempt must be >= 1, was " + attempt);
      }
      this.attempt = attempt;
      return this;
    }

    /** Adds or replaces one user header. */
    public Builder header(String name, String value) {
      requireText(name, "header name");
      Objects.requireNonNull(value, name);
      if (headers == null) {
        headers = new LinkedHashMap<>();
      }
      headers.put(name, value);
      return this;
    }

    /** Adds or replaces several user headers. */
    public Builder headers(Map<String, String> values) {
      if (values.isEmpty()) {
        return this;
      }
      for (Map.Entry<String, String> e : values.entrySet()) {
        header(e.getKey(), e.getValue());
      }
      return this;
    }

    public Builder removeHeader(String name) {
      if (headers != null) {
        headers.remove(name);
      }
      return this;
    }

    public Builder contentType(String contentType) {
      this.contentType = requireText(contentType, "contentType");
      return this;
    }

    public Envelope build() {
      return new Envelope(this);
    }

    private static String requireText(String value, String what) {
      Objects.requireNonNull(value, what);
      if (value.isEmpty()) {
        throw new IllegalArgumentException(what + " must not be empty");
      }
      return value;
    }
  }
}
