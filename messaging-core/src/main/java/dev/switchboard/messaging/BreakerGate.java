package dev.switchboard.messaging;

import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.event.CircuitBreakerOnStateTransitionEvent;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ties a Resilience4j circuit breaker to one consumer: open pauses consumption through the
 * transport, half-open lets the breaker's permitted number of trial messages through, closed
 * resumes.
 *
 * <p>The breaker owns the state machine; this class owns the timing of the open-to-half-open move,
 * which it schedules on the toolkit's {@code Scheduler} (so virtual time drives it in tests) after
 * the breaker's configured wait. The breaker's own half-open limit ({@code
 * maxWaitDurationInHalfOpenState}) keeps it from staying half-open forever; in any case a half-open
 * breaker whose trial messages never arrive only leaves messages in the broker.
 *
 * <p>Transitions arrive on whichever thread recorded the outcome that caused them. Each is logged
 * once, with the destination.
 */
final class BreakerGate {
  private static final Logger LOG = LoggerFactory.getLogger(BreakerGate.class);

  /** What the gate asks its consumer to do. */
  interface Target {
    void breakerPause();

    void breakerResume();

    String describe();
  }

  private final CircuitBreaker breaker;
  private final Engine engine;
  private final Target target;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final java.util.function.Consumer<CircuitBreakerOnStateTransitionEvent> listener =
      this::onTransition;

  BreakerGate(CircuitBreaker breaker, Engine engine, Target target) {
    this.breaker = breaker;
    this.engine = engine;
    this.target = target;
    BreakerEvents.join(breaker, listener);
    if (!permitsCalls(breaker.getState())) {
      target.breakerPause();
      scheduleProbe();
    }
  }

  /** Asks for a permission to handle one message; false means give the message back. */
  boolean tryAcquire() {
    boolean permitted = breaker.tryAcquirePermission();
    if (!permitted) {
      // Half-open with every trial slot taken, or open: stop fetching until the outcome is known.
      target.breakerPause();
      // The outcome may have arrived between the refusal and the pause, and its resume would then
      // be undone by this pause: look again, and resume if calls are permitted after all.
      CircuitBreaker.State now = breaker.getState();
      if (now == CircuitBreaker.State.HALF_OPEN) {
        if (breaker.tryAcquirePermission()) {
          breaker.releasePermission();
          target.breakerResume();
        }
      } else if (permitsCalls(now)) {
        target.breakerResume();
      }
    }
    return permitted;
  }

  void onSuccess(long nanos) {
    breaker.onSuccess(nanos, TimeUnit.NANOSECONDS);
  }

  /** Records a retryable failure; returns true if the breaker is now refusing calls. */
  boolean onRetryableFailure(long nanos, Throwable error) {
    breaker.onError(nanos, TimeUnit.NANOSECONDS, error);
    return !permitsCalls(breaker.getState());
  }

  /**
   * Gives back a permission without recording an outcome: a fatal failure says nothing about the
   * downstream, nor does a message that never reached the handler. In half-open the freed trial
   * slot must be usable, so a consumer paused for want of one resumes.
   */
  void release() {
    breaker.releasePermission();
    if (breaker.getState() == CircuitBreaker.State.HALF_OPEN) {
      target.breakerResume();
    }
  }

  CircuitBreaker.State state() {
    return breaker.getState();
  }

  void close() {
    if (closed.compareAndSet(false, true)) {
      BreakerEvents.leave(breaker, listener);
    }
  }

  private void onTransition(CircuitBreakerOnStateTransitionEvent event) {
    if (closed.get()) {
      return;
    }
    CircuitBreaker.State to = event.getStateTransition().getToState();
    switch (to) {
      case OPEN, FORCED_OPEN -> {
        LOG.warn(
            "circuit breaker '{}' opened for {}: consumption paused, messages stay in the broker;"
                + " it will try again in {}",
            breaker.getName(),
            target.describe(),
            waitInOpen());
        target.breakerPause();
        if (to == CircuitBreaker.State.OPEN) {
          scheduleProbe();
        }
      }
      case HALF_OPEN -> {
        LOG.info(
            "circuit breaker '{}' half-open for {}: letting {} trial message(s) through",
            breaker.getName(),
            target.describe(),
            breaker.getCircuitBreakerConfig().getPermittedNumberOfCallsInHalfOpenState());
        target.breakerResume();
      }
      case CLOSED -> {
        LOG.info(
            "circuit breaker '{}' closed for {}: consumption resumed",
            breaker.getName(),
            target.describe());
        target.breakerResume();
      }
      default -> {
        // DISABLED and METRICS_ONLY permit every call.
        target.breakerResume();
      }
    }
  }

  private void scheduleProbe() {
    engine.scheduler().schedule(waitInOpen(), this::probe);
  }

  private void probe() {
    if (closed.get() || breaker.getState() != CircuitBreaker.State.OPEN) {
      return;
    }
    try {
      breaker.transitionToHalfOpenState();
    } catch (IllegalStateException | CallNotPermittedException e) {
      // Another consumer sharing the breaker, or its own automatic transition, moved it first.
      LOG.debug("breaker '{}' already left OPEN", breaker.getName(), e);
    }
  }

  private Duration waitInOpen() {
    long millis = breaker.getCircuitBreakerConfig().getWaitIntervalFunctionInOpenState().apply(1);
    return Duration.ofMillis(Math.max(1, millis));
  }

  private static boolean permitsCalls(CircuitBreaker.State state) {
    return state != CircuitBreaker.State.OPEN && state != CircuitBreaker.State.FORCED_OPEN;
  }
}
