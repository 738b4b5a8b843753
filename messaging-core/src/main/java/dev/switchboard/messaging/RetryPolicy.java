package dev.switchboard.messaging;

import java.lang.reflect.InvocationTargetException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.function.Predicate;

/**
 * How a consumer retries a failing message: exponential backoff with jitter, in two tiers, and
 * which failures are worth retrying at all. Immutable.
 *
 * <p>Attempt 1 is the first delivery. After attempt {@code n} fails with a retryable error, the
 * next attempt waits {@link #delay(int, double) delay(n, random)}: the nominal delay is {@code
 * initialDelay * multiplier^(n-1)}, capped at {@code maxDelay}, then jittered. Attempts up to
 * {@code inProcessAttempts} run in the consumer while it holds the message; later ones are
 * redelivered through the broker after the delay, so a long backoff holds nothing. After {@code
 * maxAttempts}, or once the next attempt would start after {@code maxRetryTime} from the first
 * failure or after the message's deadline, the message is dead-lettered.
 *
 * <p>Classification, first match wins: a type given to {@link Builder#fatalOn} is fatal; a type
 * given to {@link Builder#retryOn} is retryable; a {@link MessagingException} answers for itself
 * ({@link MessagingException#isRetryable()}); the {@link Builder#fatalWhen} predicate; otherwise
 * retryable. Wrappers ({@link CompletionException}, {@link ExecutionException}, {@link
 * InvocationTargetException}) are looked through.
 */
public final class RetryPolicy {
  private static final RetryPolicy DEFAULTS = builder().build();
  private static final RetryPolicy NONE = builder().maxAttempts(1).inProcessAttempts(1).build();

  private final int maxAttempts;
  private final int inProcessAttempts;
  private final Duration initialDelay;
  private final double multiplier;
  private final Duration maxDelay;
  private final Jitter jitter;
  private final Duration maxRetryTime;
  private final List<Class<? extends Throwable>> fatal;
  private final List<Class<? extends Throwable>> retryable;
  private final Predicate<Throwable> fatalWhen;

  private RetryPolicy(Builder b) {
    this.maxAttempts = b.maxAttempts;
    // An unset in-process tier shrinks to fit a smaller maxAttempts; an explicit one is checked.
    this.inProcessAttempts = Math.min(b.inProcessAttempts, b.maxAttempts);
    this.initialDelay = b.initialDelay;
    this.multiplier = b.multiplier;
    this.maxDelay = b.maxDelay;
    this.jitter = b.jitter;
    this.maxRetryTime = b.maxRetryTime;
    this.fatal = List.copyOf(b.fatal);
    this.retryable = List.copyOf(b.retryable);
    this.fatalWhen = b.fatalWhen;
  }

  /**
   * Five attempts, the first three in process; 200 ms initial delay doubling up to 30 s with full
   * jitter; at most 10 minutes of retrying.
   */
  public static RetryPolicy defaults() {
    return DEFAULTS;
  }

  /** One attempt: every failure goes to the dead-letter queue. */
  public static RetryPolicy none() {
    return NONE;
  }

  public static Builder builder() {
    return new Builder();
  }

  public int maxAttempts() {
    return maxAttempts;
  }

  public int inProcessAttempts() {
    return inProcessAttempts;
  }

  public Duration initialDelay() {
    return initialDelay;
  }

  public double multiplier() {
    return multiplier;
  }

  public Duration maxDelay() {
    return maxDelay;
  }

  public Jitter jitter() {
    return jitter;
  }

  public Duration maxRetryTime() {
    return maxRetryTime;
  }

  /**
   * The delay before the attempt after {@code failedAttempt}, before jitter: {@code initialDelay}
   * after attempt 1, growing by {@code multiplier}, never above {@code maxDelay}, never negative,
   * for any attempt number.
   */
  public Duration nominalDelay(int failedAttempt) {
    if (failedAttempt < 1) {
      throw new IllegalArgumentException("attempts start at 1, was " + failedAttempt);
    }
    long initial = initialDelay.toNanos();
    long max = maxDelay.toNanos();
    if (initial >= max || multiplier == 1.0) {
      return Duration.ofNanos(Math.min(initial, max));
    }
    // Compare exponents rather than computing the power, which overflows at large attempts.
    double growth = (failedAttempt - 1) * Math.log(multiplier);
    if (growth >= Math.log((double) max / initial)) {
      return maxDelay;
    }
    // Below the cap, compute in decimal so that 200 ms * 2^3 is exactly 1.6 s, not 1.5999... s.
    java.math.BigDecimal exact =
        java.math.BigDecimal.valueOf(multiplier)
            .pow(failedAttempt - 1, java.math.MathContext.DECIMAL64)
            .multiply(java.math.BigDecimal.valueOf(initial));
    long nanos = exact.setScale(0, java.math.RoundingMode.HALF_UP).longValue();
    return Duration.ofNanos(Math.max(0, Math.min(nanos, max)));
  }

  /**
   * The jittered delay before the attempt after {@code failedAttempt}, with {@code random} a
   * uniform number in [0, 1). Always between zero and {@link #nominalDelay}.
   */
  public Duration delay(int failedAttempt, double random) {
    if (random < 0 || random >= 1) {
      throw new IllegalArgumentException("random must be in [0, 1), was " + random);
    }
    long nominal = nominalDelay(failedAttempt).toNanos();
    long nanos =
        switch (jitter) {
          case NONE -> nominal;
          case FULL -> (long) (nominal * random);
          case EQUAL -> nominal / 2 + (long) ((nominal - nominal / 2) * random);
        };
    return Duration.ofNanos(Math.max(0, Math.min(nanos, nominal)));
  }

  /**
   * The distinct nominal delays of the broker tier, ascending: what a transport with fixed delay
   * levels must be able to wait.
   */
  public List<Duration> redeliveryDelays() {
    Set<Duration> levels = new LinkedHashSet<>();
    for (int failed = inProcessAttempts; failed < maxAttempts; failed++) {
      levels.add(nominalDelay(failed));
      if (levels.size() > 32) {
        break;
      }
    }
    List<Duration> sorted = new ArrayList<>(levels);
    sorted.sort(null);
    return sorted;
  }

  /** Whether {@code failure} is worth retrying under this policy; see the class comment. */
  public boolean isRetryable(Throwable failure) {
    Throwable t = unwrap(failure);
    for (Class<? extends Throwable> type : fatal) {
      if (type.isInstance(t)) {
        return false;
      }
    }
    for (Class<? extends Throwable> type : retryable) {
      if (type.isInstance(t)) {
        return true;
      }
    }
    if (t instanceof MessagingException m) {
      return m.isRetryable();
    }
    return !fatalWhen.test(t);
  }

  /** Looks through exception wrappers that only carry another failure. */
  static Throwable unwrap(Throwable failure) {
    Throwable t = failure;
    for (int i = 0;
        i < 16
            && (t instanceof CompletionException
                || t instanceof ExecutionException
                || t instanceof InvocationTargetException)
            && t.getCause() != null;
        i++) {
      t = t.getCause();
    }
    return t;
  }

  @Override
  public String toString() {
    return "RetryPolicy{maxAttempts="
        + maxAttempts
        + ", inProcessAttempts="
        + inProcessAttempts
        + ", initialDelay="
        + initialDelay
        + ", multiplier="
        + multiplier
        + ", maxDelay="
        + maxDelay
        + ", jitter="
        + jitter
        + ", maxRetryTime="
        + maxRetryTime
        + "}";
  }

  /** Builds a {@link RetryPolicy}; each setting may be given once. */
  public static final class Builder {
    private int maxAttempts = 5;
    private int inProcessAttempts = 3;
    private Duration initialDelay = Duration.ofMillis(200);
    private double multiplier = 2.0;
    private Duration maxDelay = Duration.ofSeconds(30);
    private Jitter jitter = Jitter.FULL;
    private Duration maxRetryTime = Duration.ofMinutes(10);
    private final List<Class<? extends Throwable>> fatal = new ArrayList<>();
    private final List<Class<? extends Throwable>> retryable = new ArrayList<>();
    private Predicate<Throwable> fatalWhen = t -> false;
    private final Set<String> given = new LinkedHashSet<>();

    private Builder() {}

    /** Attempts in all, including the first delivery; from 1. */
    public Builder maxAttempts(int maxAttempts) {
      once("maxAttempts");
      if (maxAttempts < 1) {
        throw new IllegalArgumentException("maxAttempts must be >= 1, was " + maxAttempts);
      }
      this.maxAttempts = maxAttempts;
      return this;
    }

    /** Attempts made while holding the message, before the broker tier; from 1. */
    public Builder inProcessAttempts(int inProcessAttempts) {
      once("inProcessAttempts");
      if (inProcessAttempts < 1) {
        throw new IllegalArgumentException(
            "inProcessAttempts must be >= 1, was " + inProcessAttempts);
      }
      this.inProcessAttempts = inProcessAttempts;
      return this;
    }

    public Builder initialDelay(Duration initialDelay) {
      once("initialDelay");
      this.initialDelay = nonNegative(initialDelay, "initialDelay");
      return this;
    }

    /** Growth factor per attempt, at least 1. */
    public Builder multiplier(double multiplier) {
      once("multiplier");
      if (!(multiplier >= 1.0) || Double.isInfinite(multiplier)) {
        throw new IllegalArgumentException("multiplier must be finite and >= 1, was " + multiplier);
      }
      this.multiplier = multiplier;
      return this;
    }

    public Builder maxDelay(Duration maxDelay) {
      once("maxDelay");
      this.maxDelay = nonNegative(maxDelay, "maxDelay");
      return this;
    }

    public Builder jitter(Jitter jitter) {
      once("jitter");
      this.jitter = Objects.requireNonNull(jitter, "jitter");
      return this;
    }

    /** The longest time from the first failure to the last attempt. */
    public Builder maxRetryTime(Duration maxRetryTime) {
      once("maxRetryTime");
      this.maxRetryTime = nonNegative(maxRetryTime, "maxRetryTime");
      return this;
    }

    @SafeVarargs
    public final Builder fatalOn(Class<? extends Throwable>... types) {
      fatal.addAll(List.of(types));
      return this;
    }

    @SafeVarargs
    public final Builder retryOn(Class<? extends Throwable>... types) {
      retryable.addAll(List.of(types));
      return this;
    }

    /** A failure for which {@code isFatal} holds, and that no type rule matched, is fatal. */
    public Builder fatalWhen(Predicate<Throwable> isFatal) {
      once("fatalWhen");
      this.fatalWhen = Objects.requireNonNull(isFatal, "isFatal");
      return this;
    }

    public RetryPolicy build() {
      if (initialDelay.compareTo(maxDelay) > 0) {
        throw new IllegalArgumentException(
            "initialDelay (" + initialDelay + ") must not exceed maxDelay (" + maxDelay + ")");
      }
      if (given.contains("inProcessAttempts")
          && given.contains("maxAttempts")
          && inProcessAttempts > maxAttempts) {
        throw new IllegalArgumentException(
            "inProcessAttempts ("
                + inProcessAttempts
                + ") must not exceed maxAttempts ("
                + maxAttempts
                + ")");
      }
      for (Class<? extends Throwable> type : fatal) {
        if (retryable.contains(type)) {
          throw new IllegalArgumentException(
              type.getName() + " is given to both fatalOn and retryOn");
        }
      }
      return new RetryPolicy(this);
    }

    private void once(String setting) {
      if (!given.add(setting)) {
        throw new IllegalStateException(setting + " is already set on this RetryPolicy builder");
      }
    }

    private static Duration nonNegative(Duration d, String what) {
      if (Objects.requireNonNull(d, what).isNegative()) {
        throw new IllegalArgumentException(what + " must not be negative, was " + d);
      }
      return d;
    }
  }
}
