package dev.switchboard.messaging;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * How a subscription, work-queue consumer or responder runs. Immutable; {@link #defaults()} is one
 * handler at a time with {@link RetryPolicy#defaults()}, no circuit breaker, expired messages
 * dead-lettered.
 */
public final class ConsumerOptions {
  private static final ConsumerOptions DEFAULTS = builder().build();

  private final int concurrency;
  private final int prefetch;
  private final RetryPolicy retry;
  private final @Nullable CircuitBreaker breaker;
  private final ExpiryPolicy expiry;
  private final int deliveryLimit;

  private ConsumerOptions(Builder b) {
    this.concurrency = b.concurrency;
    this.prefetch = b.prefetch > 0 ? b.prefetch : Math.max(32, b.concurrency * 4);
    this.retry = b.retry;
    this.breaker = b.breaker;
    this.expiry = b.expiry;
    this.deliveryLimit = b.deliveryLimit;
  }

  public static ConsumerOptions defaults() {
    return DEFAULTS;
  }

  public static Builder builder() {
    return new Builder();
  }

  public int concurrency() {
    return concurrency;
  }

  public int prefetch() {
    return prefetch;
  }

  public RetryPolicy retry() {
    return retry;
  }

  public Optional<CircuitBreaker> breaker() {
    return Optional.ofNullable(breaker);
  }

  public ExpiryPolicy expiry() {
    return expiry;
  }

  /**
   * The most times a broker may deliver one message (see {@code brokerDeliveryCount}) before it is
   * dead-lettered with {@link FailureReason#DELIVERY_LIMIT} unhandled; guards against a message
   * that kills its consumer every time. Default 20.
   */
  public int deliveryLimit() {
    return deliveryLimit;
  }

  /** Builds {@link ConsumerOptions}; each setting may be given once. */
  public static final class Builder {
    private int concurrency = 1;
    private int prefetch;
    private RetryPolicy retry = RetryPolicy.defaults();
    private @Nullable CircuitBreaker breaker;
    private ExpiryPolicy expiry = ExpiryPolicy.DEAD_LETTER;
    private int deliveryLimit = 20;
    private final Set<String> given = new LinkedHashSet<>();

    private Builder() {}

    /** Handlers running at once for this consumer; from 1. */
    public Builder concurrency(int concurrency) {
      once("concurrency");
      if (concurrency < 1) {
        throw new IllegalArgumentException("concurrency must be >= 1, was " + concurrency);
      }
      this.concurrency = concurrency;
      return this;
    }

    /**
     * Messages the transport may hold unsettled, at least the concurrency; default {@code max(32, 4
     * * concurrency)}.
     */
    public Builder prefetch(int prefetch) {
      once("prefetch");
      if (prefetch < 1) {
        throw new IllegalArgumentException("prefetch must be >= 1, was " + prefetch);
      }
      this.prefetch = prefetch;
      return this;
    }

    public Builder retry(RetryPolicy retry) {
      once("retry");
      this.retry = Objects.requireNonNull(retry, "retry");
      return this;
    }

    /**
     * Pause consumption while {@code breaker} is open, instead of burning messages through retries
     * into the dead-letter queue. Only retryable failures count against it. One breaker may be
     * shared by several consumers of the same downstream.
     */
    public Builder circuitBreaker(CircuitBreaker breaker) {
      once("circuitBreaker");
      this.breaker = Objects.requireNonNull(breaker, "breaker");
      return this;
    }

    public Builder expiry(ExpiryPolicy expiry) {
      once("expiry");
      this.expiry = Objects.requireNonNull(expiry, "expiry");
      return this;
    }

    /**
     * Dead-letter a message the broker has delivered more than {@code limit} times, on transports
     * that count deliveries. Deliveries given back by drain, pause or an open breaker count too, so
     * keep it well above the retry policy's in-process attempts; from 1.
     */
    public Builder deliveryLimit(int limit) {
      once("deliveryLimit");
      if (limit < 1) {
        throw new IllegalArgumentException("deliveryLimit must be >= 1, was " + limit);
      }
      this.deliveryLimit = limit;
      return this;
    }

    public ConsumerOptions build() {
      if (prefetch > 0 && prefetch < concurrency) {
        throw new IllegalArgumentException(
            "prefetch (" + prefetch + ") must be >= concurrency (" + concurrency + ")");
      }
      return new ConsumerOptions(this);
    }

    private void once(String setting) {
      if (!given.add(setting)) {
        throw new IllegalStateException(setting + " is already set on this builder");
      }
    }
  }
}
