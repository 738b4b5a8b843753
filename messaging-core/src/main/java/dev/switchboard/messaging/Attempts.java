package dev.switchboard.messaging;

import dev.switchboard.messaging.spi.Delivery;
import dev.switchboard.messaging.spi.WireMessage;
import dev.switchboard.messaging.time.Scheduler;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ThreadLocalRandom;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The life of one delivery inside a consumer, from arrival to its single settlement.
 *
 * <p>Design. Steps, in order: unreadable headers, headers over the limits, the delivery limit,
 * decode (once), deadline, then handler attempts. A handler failure is classified by the {@link
 * RetryPolicy}: fatal goes to the dead-letter queue; retryable waits in process (holding the
 * delivery, on the scheduler) while attempts remain in the in-process tier, then is redelivered
 * through the broker with the attempt and the first failure time carried on the message; no attempt
 * is scheduled past the message's deadline or the policy's overall retry time. A breaker that opens
 * on a failure makes the delivery go back to the broker unhandled.
 *
 * <p>Invariants: {@link #settle} runs once, guarded by {@code settled}; the dead-letter publish is
 * confirmed before the original is acknowledged, and if it keeps failing the original is given back
 * to the broker, never acknowledged.
 */
final class Attempts<T> {
  private static final Logger LOG = LoggerFactory.getLogger(Attempts.class);

  /** Carries the time of the first failure across broker redeliveries. */
  static final String FIRST_FAILURE = "sb_retry_first_failure";

  /** How long a failing dead-letter publish is retried before the message is given back. */
  private static final Duration DEAD_LETTER_PATIENCE = Duration.ofSeconds(30);

  private static final VarHandle SETTLED;

  static {
    try {
      SETTLED = MethodHandles.lookup().findVarHandle(Attempts.class, "settled", boolean.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final ManagedConsumer<T> owner;
  private final Engine engine;
  private final Delivery delivery;
  private final WireMessage wire;
  private final CompletableFuture<Void> done = new CompletableFuture<>();

  /** Set once by {@link #settle}; a field and a handle rather than an object per delivery. */
  @SuppressWarnings("unused")
  private volatile boolean settled;

  private @Nullable T value;
  private @Nullable Instant firstFailure;
  private volatile int attempt;

  /** Whether {@link Delivery#handlerFinished} was called; attempts run one after another. */
  private boolean handlerFinished;

  private volatile Scheduler.@Nullable Cancellable pendingRetry;
  private volatile @Nullable Duration pendingDelay;

  Attempts(ManagedConsumer<T> owner, Delivery delivery) {
    this.owner = owner;
    this.engine = owner.engine();
    this.delivery = delivery;
    this.wire = delivery.message();
    this.attempt = wire.envelope().attempt();
  }

  CompletionStage<Void> done() {
    return done;
  }

  void start() {
    Envelope envelope = wire.envelope();
    Failure refused = owner.refusedDeadLetter(wire, engine.clock().instant());
    if (refused != null) {
      // This very message failed here before and only the dead-letter queue refused it: publish
      // its dead letter again rather than run the handler (and its side effects) once more.
      releaseBreakerPermission();
      handlerFinished();
      publishDeadLetter(letterFor(refused), refused, engine.clock().instant());
      return;
    }
    if (!delivery.problems().isEmpty()) {
      deadLetter(
          FailureReason.REJECTED,
          new FatalMessageException(
              "unreadable headers: " + String.join("; ", delivery.problems())),
          true);
      return;
    }
    Optional<HeadersTooLargeException> overLimit =
        engine.headerLimits().checkReceived(owner.destination(), envelope.headers());
    if (overLimit.isPresent()) {
      deadLetter(FailureReason.HEADER_LIMIT, overLimit.get(), true);
      return;
    }
    // Deliveries this consumer gave back itself (breaker, drain) are not the message's fault.
    int deliveries = delivery.brokerDeliveryCount() - owner.givenBack(envelope.id());
    if (deliveries > owner.options().deliveryLimit()) {
      deadLetter(
          FailureReason.DELIVERY_LIMIT,
          new FatalMessageException(
              "the broker delivered this message "
                  + deliveries
                  + " times, over the limit of "
                  + owner.options().deliveryLimit()
                  + "; its handler may be crashing the consumer"),
          true);
      return;
    }
    try {
      value = engine.payloads().decode(envelope, wire.body(), owner.type());
    } catch (DecodeException e) {
      deadLetter(FailureReason.DECODE, e, true);
      return;
    } catch (RuntimeException e) {
      deadLetter(FailureReason.DECODE, new DecodeException("decoding failed: " + e, e), true);
      return;
    }
    Instant now = engine.clock().instant();
    if (envelope.deadline().isPresent() && now.isAfter(envelope.deadline().get())) {
      owner.expired.increment();
      if (owner.isResponder() || owner.options().expiry() == ExpiryPolicy.DROP) {
        LOG.debug(
            "{}: message {} expired at {}, dropped",
            owner.describe(),
            envelope.id(),
            envelope.deadline().get());
        releaseBreakerPermission();
        owner.forget(envelope.id());
        settle(delivery.ack());
      } else {
        deadLetter(
            FailureReason.EXPIRED,
            new DeadlineExceededException(
                "deadline "
                    + envelope.deadline().get()
                    + " passed before handling (now "
                    + now
                    + ")"),
            true);
      }
      return;
    }
    String first = envelope.headers().get(FIRST_FAILURE);
    if (first != null) {
      try {
        firstFailure = Instant.parse(first);
      } catch (DateTimeParseException e) {
        firstFailure = null;
      }
    }
    invoke();
  }

  private void invoke() {
    T v = value;
    Envelope envelope =
        attempt == wire.envelope().attempt()
            ? wire.envelope()
            : wire.envelope().toBuilder().attempt(attempt).build();
    HandlerContext context =
        new HandlerContext(envelope, owner.destination(), owner.group(), delivery, engine.clock());
    long started = System.nanoTime();
    CompletionStage<Void> outcome;
    HandlerContext previous = context.enter();
    try {
      outcome = owner.invocation().invoke(v, context);
    } catch (Throwable e) {
      outcome = CompletableFuture.failedFuture(e);
    } finally {
      HandlerContext.exit(previous);
    }
    if (!outcome.toCompletableFuture().isCompletedExceptionally()) {
      // Succeeded, or a responder waiting for its reply's confirmation: the handler is done.
      handlerFinished();
    }
    outcome.whenComplete(
        (ok, error) -> {
          try {
            long nanos = System.nanoTime() - started;
            if (error == null) {
              owner.handled.increment();
              BreakerGate gate = owner.breaker();
              if (gate != null) {
                gate.onSuccess(nanos);
              }
              owner.forget(wire.envelope().id());
              settle(delivery.ack());
            } else {
              failed(RetryPolicy.unwrap(error), nanos, envelope);
            }
          } catch (RuntimeException | Error e) {
            // Whatever went wrong deciding the outcome, the delivery must not stay held.
            engine
                .listener()
                .toolkitError(
                    owner.describe()
                        + ": deciding the outcome of "
                        + envelope.id()
                        + " failed;"
                        + " giving the message back to the broker",
                    e);
            settle(owner.giveBack(delivery));
          }
        });
  }

  private void failed(Throwable error, long nanos, Envelope envelope) {
    owner.failures.increment();
    RetryPolicy policy = owner.options().retry();
    boolean retryable;
    try {
      retryable = policy.isRetryable(error);
    } catch (RuntimeException e) {
      engine
          .listener()
          .toolkitError(
              owner.describe()
                  + ": the retry policy's classifier threw; treating the failure of "
                  + envelope.id()
                  + " as retryable",
              e);
      retryable = true;
    }
    BreakerGate gate = owner.breaker();
    Instant now = engine.clock().instant();
    if (firstFailure == null) {
      firstFailure = now;
    }
    if (gate != null) {
      if (!retryable) {
        gate.release();
      } else if (gate.onRetryableFailure(nanos, error)) {
        notify(envelope, error, "circuit breaker open; message returned to the broker");
        settle(owner.giveBack(delivery));
        return;
      }
    }
    if (!retryable) {
      notify(envelope, error, "fatal; dead-lettering");
      deadLetter(FailureReason.EXCEPTION, error, false);
      return;
    }
    if (attempt >= policy.maxAttempts()) {
      notify(envelope, error, "no attempts left of " + policy.maxAttempts() + "; dead-lettering");
      deadLetter(FailureReason.EXCEPTION, error, false);
      return;
    }
    Duration delay = policy.delay(attempt, ThreadLocalRandom.current().nextDouble());
    Instant due = plus(now, delay);
    Instant cap = plus(firstFailure, policy.maxRetryTime());
    if (due.isAfter(cap)) {
      notify(envelope, error, "retry time " + policy.maxRetryTime() + " used up; dead-lettering");
      deadLetter(FailureReason.EXCEPTION, error, false);
      return;
    }
    if (envelope.deadline().isPresent() && due.isAfter(envelope.deadline().get())) {
      notify(envelope, error, "next attempt would pass the deadline; dead-lettering");
      deadLetter(FailureReason.EXCEPTION, error, false);
      return;
    }
    owner.retried.increment();
    // Once the transport was told the handler is done (a responder whose reply then failed to
    // publish), it may have freed the handler's thread or slot: a retry goes through the broker,
    // where it is a new delivery with a slot of its own.
    if (attempt < policy.inProcessAttempts() && !owner.isDraining() && !handlerFinished) {
      notify(envelope, error, "retrying in " + delay.toMillis() + " ms");
      retryInProcess(delay);
    } else {
      notify(envelope, error, "redelivering through the broker in " + delay.toMillis() + " ms");
      redeliver(delay);
    }
  }

  private void retryInProcess(Duration delay) {
    pendingDelay = delay;
    owner.waitingForRetry(this, true);
    pendingRetry =
        engine
            .scheduler()
            .schedule(
                delay,
                () -> {
                  owner.waitingForRetry(this, false);
                  pendingRetry = null;
                  try {
                    engine.executor().execute(this::nextInProcess);
                  } catch (RuntimeException e) {
                    engine.listener().toolkitError("retry executor refused a task", e);
                    redeliver(Duration.ZERO);
                  }
                });
  }

  private void nextInProcess() {
    if (owner.isClosed()) {
      settle(owner.giveBack(delivery));
      return;
    }
    if (owner.isDraining()) {
      Duration delay = pendingDelay;
      redeliver(delay != null ? delay : Duration.ZERO);
      return;
    }
    BreakerGate gate = owner.breaker();
    if (gate != null && !gate.tryAcquire()) {
      settle(owner.giveBack(delivery));
      return;
    }
    attempt++;
    invoke();
  }

  /** Close: give a message waiting for an in-process retry back to the broker now. */
  boolean abandonForClose() {
    Scheduler.Cancellable retry = pendingRetry;
    if (retry == null || !retry.cancel()) {
      return false;
    }
    owner.waitingForRetry(this, false);
    settle(owner.giveBack(delivery));
    return true;
  }

  /** Drain: move a message waiting for an in-process retry to the broker tier now. */
  boolean handOverForDrain() {
    Scheduler.Cancellable retry = pendingRetry;
    if (retry == null || !retry.cancel()) {
      return false;
    }
    owner.waitingForRetry(this, false);
    Duration delay = pendingDelay;
    redeliver(delay != null ? delay : Duration.ZERO);
    return true;
  }

  /** Tells the transport, once, that the handler will not run again for this delivery. */
  private void handlerFinished() {
    if (!handlerFinished) {
      handlerFinished = true;
      delivery.handlerFinished();
    }
  }

  private void redeliver(Duration delay) {
    handlerFinished();
    Instant first = firstFailure != null ? firstFailure : engine.clock().instant();
    WireMessage next = ManagedConsumer.nextAttempt(wire, attempt + 1, first.toString());
    delivery
        .redeliver(next, delay)
        .whenComplete(
            (ok, error) -> {
              if (error != null) {
                if (owner.isClosed()) {
                  // The consumer closed while the retry was pending; the broker has the message.
                  LOG.warn(
                      "{}: closed before redelivering {}; the broker will deliver it again",
                      owner.describe(),
                      wire.envelope().id(),
                      error);
                } else {
                  engine
                      .listener()
                      .toolkitError(
                          owner.describe()
                              + ": could not schedule redelivery of "
                              + wire.envelope().id()
                              + "; giving it back to the broker",
                          error);
                }
                settle(delivery.release());
              } else {
                owner.forget(wire.envelope().id());
                settle(ManagedConsumer.done());
              }
            });
  }

  private void deadLetter(FailureReason reason, Throwable error, boolean beforeHandler) {
    handlerFinished();
    if (beforeHandler) {
      releaseBreakerPermission();
    }
    Instant now = engine.clock().instant();
    Failure failure =
        Failure.of(
            reason,
            error,
            attempt,
            firstFailure != null ? firstFailure : now,
            now,
            owner.destination(),
            owner.group());
    publishDeadLetter(letterFor(failure), failure, now);
  }

  /** This delivery's message with {@code failure} in place of any earlier failure headers. */
  private WireMessage letterFor(Failure failure) {
    Envelope.Builder b = wire.envelope().toBuilder();
    for (String name : wire.envelope().headers().keySet()) {
      if (name.startsWith(Failure.PREFIX) || name.equals(FIRST_FAILURE)) {
        b.removeHeader(name);
      }
    }
    b.headers(failure.toHeaders());
    return wire.withEnvelope(b.build());
  }

  private void publishDeadLetter(WireMessage letter, Failure failure, Instant firstTry) {
    delivery
        .deadLetter(letter)
        .whenComplete(
            (ok, error) -> {
              if (error == null) {
                owner.deadLettered.increment();
                try {
                  engine
                      .listener()
                      .deadLettered(owner.destination(), owner.group(), wire.envelope(), failure);
                } catch (RuntimeException e) {
                  LOG.warn("listener failed on deadLettered for {}", owner.describe(), e);
                }
                owner.forget(wire.envelope().id());
                settle(ManagedConsumer.done());
                return;
              }
              Duration waited = Duration.between(firstTry, engine.clock().instant());
              if (waited.compareTo(DEAD_LETTER_PATIENCE) >= 0 || owner.isDraining()) {
                engine
                    .listener()
                    .toolkitError(
                        owner.describe()
                            + ": dead-letter publish of "
                            + wire.envelope().id()
                            + " failed for "
                            + waited.toSeconds()
                            + " s; giving the message back to the broker unacknowledged",
                        error);
                // Remembered as a give-back: the dead-letter queue's outage is not the message's
                // fault, so these deliveries must not count against its delivery limit. The
                // letter is remembered too, so the next delivery only publishes it again.
                owner.rememberRefusedDeadLetter(wire, failure, engine.clock().instant());
                settle(owner.giveBack(delivery));
                return;
              }
              LOG.warn(
                  "{}: dead-letter publish of {} failed; trying again in 1 s",
                  owner.describe(),
                  wire.envelope().id(),
                  error);
              engine
                  .scheduler()
                  .schedule(
                      Duration.ofSeconds(1), () -> publishDeadLetter(letter, failure, firstTry));
            });
  }

  private void releaseBreakerPermission() {
    BreakerGate gate = owner.breaker();
    if (gate != null) {
      gate.release();
    }
  }

  private void notify(Envelope envelope, Throwable error, String outcome) {
    try {
      engine.listener().handlerFailed(owner.destination(), owner.group(), envelope, error, outcome);
    } catch (RuntimeException e) {
      LOG.warn("listener failed on handlerFailed for {}", owner.describe(), e);
    }
  }

  private static Instant plus(Instant start, Duration amount) {
    try {
      return start.plus(amount);
    } catch (java.time.DateTimeException | ArithmeticException e) {
      return Instant.MAX; // a cap too far away to reach is no cap
    }
  }

  /** Completes this delivery once {@code settlement} completes; runs at most once. */
  void settle(CompletionStage<Void> settlement) {
    if (!SETTLED.compareAndSet(this, false, true)) {
      return;
    }

    settlement.whenComplete(
        (ok, error) -> {
          if (error != null && owner.isClosed()) {
            // Closing hands unsettled messages back to the broker; a settlement that comes after
            // that is expected to fail, and the message is delivered again.
            LOG.debug(
                "{}: settling message {} after close failed; the broker will deliver it again",
                owner.describe(),
                wire.envelope().id(),
                error);
          } else if (error != null) {
            LOG.warn(
                "{}: settling message {} failed; the broker will deliver it again",
                owner.describe(),
                wire.envelope().id(),
                error);
          }
          owner.settled();
          done.complete(null);
        });
  }
}
