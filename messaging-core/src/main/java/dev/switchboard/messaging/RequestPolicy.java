package dev.switchboard.messaging;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * How requests to one destination are protected: a circuit breaker that fails calls fast while the
 * responder is unhealthy, and retries within the caller's deadline. Immutable; register it with
 * {@link Messaging.Builder#requestPolicy}.
 *
 * <p>A retried request is sent again with the same id and correlation id, so a responder can
 * recognise the duplicate and a reply to any attempt completes the call. Each attempt waits at most
 * {@code attemptTimeout}; no attempt starts after the call's deadline. Timeouts and retryable
 * failures count against the breaker; an error reply that is not retryable counts as a success,
 * since the responder is up and answering.
 */
public final class RequestPolicy {
  private final @Nullable CircuitBreaker breaker;
  private final int maxAttempts;
  private final @Nullable Duration attemptTimeout;
  private final Duration backoff;

  private RequestPolicy(Builder b) {
    this.breaker = b.breaker;
    this.maxAttempts = b.maxAttempts;
    this.attemptTimeout = b.attemptTimeout;
    this.backoff = b.backoff;
  }

  public static Builder builder() {
    return new Builder();
  }

  public Optional<CircuitBreaker> breaker() {
    return Optional.ofNullable(breaker);
  }

  public int maxAttempts() {
    return maxAttempts;
  }

  /** The longest wait for one attempt; the whole call's timeout when empty. */
  public Optional<Duration> attemptTimeout() {
    return Optional.ofNullable(attemptTimeout);
  }

  public Duration backoff() {
    return backoff;
  }

  /** Builds a {@link RequestPolicy}. */
  public static final class Builder {
    private @Nullable CircuitBreaker breaker;
    private int maxAttempts = 1;
    private @Nullable Duration attemptTimeout;
    private Duration backoff = Duration.ofMillis(50);
    private final java.util.Set<String> given = new java.util.HashSet<>();

    private Builder() {}

    private void once(String setting) {
      if (!given.add(setting)) {
        throw new IllegalStateException(setting + " is already set on this RequestPolicy builder");
      }
    }

    /** While {@code breaker} is open, requests fail with {@link CircuitOpenException} unsent. */
    public Builder circuitBreaker(CircuitBreaker breaker) {
      once("circuitBreaker");
      this.breaker = Objects.requireNonNull(breaker, "breaker");
      return this;
    }

    /** Attempts in all, from 1; retries only happen while the call's deadline allows. */
    public Builder maxAttempts(int maxAttempts) {
      once("maxAttempts");
      if (maxAttempts < 1) {
        throw new IllegalArgumentException("maxAttempts must be >= 1, was " + maxAttempts);
      }
      this.maxAttempts = maxAttempts;
      return this;
    }

    public Builder attemptTimeout(Duration attemptTimeout) {
      once("attemptTimeout");
      if (Objects.requireNonNull(attemptTimeout, "attemptTimeout").isNegative()
          || attemptTimeout.isZero()) {
        throw new IllegalArgumentException(
            "attemptTimeout must be positive, was " + attemptTimeout);
      }
      this.attemptTimeout = attemptTimeout;
      return this;
    }

    /** The pause between attempts; 50 ms by default. */
    public Builder backoff(Duration backoff) {
      once("backoff");
      if (Objects.requireNonNull(backoff, "backoff").isNegative()) {
        throw new IllegalArgumentException("backoff must not be negative, was " + backoff);
      }
      this.backoff = backoff;
      return this;
    }

    public RequestPolicy build() {
      if (maxAttempts > 1 && attemptTimeout == null) {
        throw new IllegalArgumentException(
            "maxAttempts "
                + maxAttempts
                + " needs an attemptTimeout shorter than the call's"
                + " timeout, or every retry would start after the deadline");
      }
      return new RequestPolicy(this);
    }
  }
}
