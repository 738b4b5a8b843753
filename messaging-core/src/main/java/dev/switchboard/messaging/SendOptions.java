package dev.switchboard.messaging;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Per-message settings for publish, send and request: key, headers, id, deadline. Immutable.
 *
 * <p>A deadline can be given as an instant or as a time to live, not both.
 */
public final class SendOptions {
  private static final SendOptions NONE = builder().build();

  private final @Nullable String key;
  private final Map<String, String> headers;
  private final @Nullable String id;
  private final @Nullable Instant deadline;
  private final @Nullable Duration ttl;
  private final @Nullable String causationId;

  private SendOptions(Builder b) {
    this.key = b.key;
    this.headers = Map.copyOf(b.headers);
    this.id = b.id;
    this.deadline = b.deadline;
    this.ttl = b.ttl;
    this.causationId = b.causationId;
  }

  public static SendOptions none() {
    return NONE;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Shorthand for options with only a key. */
  public static SendOptions key(String key) {
    return builder().key(key).build();
  }

  public Optional<String> key() {
    return Optional.ofNullable(key);
  }

  public Map<String, String> headers() {
    return headers;
  }

  public Optional<String> id() {
    return Optional.ofNullable(id);
  }

  public Optional<Instant> deadline() {
    return Optional.ofNullable(deadline);
  }

  public Optional<Duration> ttl() {
    return Optional.ofNullable(ttl);
  }

  public Optional<String> causationId() {
    return Optional.ofNullable(causationId);
  }

  /** Builds {@link SendOptions}. */
  public static final class Builder {
    private @Nullable String key;
    private final Map<String, String> headers = new LinkedHashMap<>();
    private @Nullable String id;
    private @Nullable Instant deadline;
    private @Nullable Duration ttl;
    private @Nullable String causationId;

    private Builder() {}

    /** The ordering key. */
    public Builder key(String key) {
      this.key = Objects.requireNonNull(key, "key");
      return this;
    }

    /**
     * A user header. Names starting with {@code ce_}, {@code sb_} or {@code x-} are reserved and
     * rejected.
     */
    public Builder header(String name, String value) {
      Objects.requireNonNull(name, "header name");
      Objects.requireNonNull(value, "header value");
      if (name.isEmpty()) {
        throw new IllegalArgumentException("header name must not be empty");
      }
      if (dev.switchboard.messaging.spi.WireHeaders.isReserved(name)) {
        throw new IllegalArgumentException(
            "header name '" + name + "' is reserved (ce_, sb_, x- and content-type)");
      }
      headers.put(name, value);
      return this;
    }

    public Builder headers(Map<String, String> values) {
      values.forEach(this::header);
      return this;
    }

    /** The message id; a random UUID when not given. Reuse it to let receivers deduplicate. */
    public Builder id(String id) {
      this.id = Objects.requireNonNull(id, "id");
      return this;
    }

    public Builder deadline(Instant deadline) {
      if (ttl != null) {
        throw new IllegalStateException(
            "deadline conflicts with ttl (" + ttl + ") already set; give one of them");
      }
      this.deadline = Objects.requireNonNull(deadline, "deadline");
      return this;
    }

    /** The deadline as a time to live from the moment of sending. */
    public Builder ttl(Duration ttl) {
      if (deadline != null) {
        throw new IllegalStateException(
            "ttl conflicts with deadline (" + deadline + ") already set; give one of them");
      }
      if (Objects.requireNonNull(ttl, "ttl").isNegative() || ttl.isZero()) {
        throw new IllegalArgumentException("ttl must be positive, was " + ttl);
      }
      this.ttl = ttl;
      return this;
    }

    /** The id of the message that caused this one; set automatically inside a handler. */
    public Builder causationId(String causationId) {
      this.causationId = Objects.requireNonNull(causationId, "causationId");
      return this;
    }

    public SendOptions build() {
      return new SendOptions(this);
    }
  }
}
