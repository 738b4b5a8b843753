package dev.switchboard.messaging;

import dev.switchboard.messaging.spi.ConsumerSpec;
import dev.switchboard.messaging.spi.Delivery;
import dev.switchboard.messaging.spi.DeliveryHandler;
import dev.switchboard.messaging.spi.Destination;
import dev.switchboard.messaging.spi.TransportConsumer;
import dev.switchboard.messaging.spi.WireMessage;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One consumer: the lifecycle a user holds as a {@link Subscription}, and the {@link
 * DeliveryHandler} its transport calls.
 *
 * <p>Design. The transport calls {@link #onDelivery} on its own thread, and the first attempt runs
 * right there: no hand-off on the hot path. Each delivery becomes an {@link Attempts} that owns it
 * until it is settled exactly once (ack, release, redeliver or dead-letter); in-process retries
 * wait on the scheduler and run on the engine's executor while still holding the delivery. The
 * counter of held deliveries is what drain waits on.
 *
 * <p>Gates, checked before a delivery is started: a closing consumer gives it back unhandled, and
 * an open circuit breaker gives it back and pauses fetching. Neither counts as an attempt.
 *
 * <p>State is derived, not stored: closed, failed, draining, paused by the user and paused by the
 * breaker are independent flags, and {@link #state()} reads them in that order of priority.
 */
final class ManagedConsumer<T> implements Subscription, DeliveryHandler {
  private static final Logger LOG = LoggerFactory.getLogger(ManagedConsumer.class);

  private final Engine engine;
  private final Destination destination;
  private final String group;
  private final Class<T> type;
  private final Invocation<T> invocation;
  private final ConsumerOptions options;
  private final boolean responder;
  private final @Nullable BreakerGate breaker;
  private final Object monitor = new Object();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final Set<Attempts<T>> waitingForRetry = ConcurrentHashMap.newKeySet();

  /** Message id to how often this consumer gave it back unhandled; bounded, see giveBack. */
  private final ConcurrentHashMap<String, Integer> givenBack = new ConcurrentHashMap<>();

  /**
   * Failures whose dead letter the dead-letter queue kept refusing, so that the same message coming
   * back publishes its dead letter again instead of running the handler again. Keyed by message id,
   * kept only for the exact message (see {@link RefusedDeadLetter#matches}), for at most {@link
   * #REFUSED_MEMORY} and {@link #REFUSED_LIMIT} entries, least recently used first out.
   */
  private final Map<String, RefusedDeadLetter> refusedDeadLetters =
      Collections.synchronizedMap(
          new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, RefusedDeadLetter> eldest) {
              return size() > REFUSED_LIMIT;
            }
          });

  /** Whether {@link #refusedDeadLetters} may hold anything; written under its lock. */
  private volatile boolean anyRefused;

  private static final int REFUSED_LIMIT = 10_000;
  private static final Duration REFUSED_MEMORY = Duration.ofMinutes(30);

  /**
   * A failure whose dead letter was refused, and what identifies the message it belongs to: the
   * attempt, a hash of the headers and one of the bytes. A redriven, re-sent or retried copy with
   * the same id differs in one of them and runs its handler as usual.
   */
  record RefusedDeadLetter(
      Failure failure, int attempt, int headersHash, int bodyHash, Instant remembered) {
    static RefusedDeadLetter of(WireMessage m, Failure failure, Instant now) {
      return new RefusedDeadLetter(
          failure,
          m.envelope().attempt(),
          m.envelope().headers().hashCode(),
          Arrays.hashCode(m.body()),
          now);
    }

    boolean matches(WireMessage m, Instant now) {
      return attempt == m.envelope().attempt()
          && headersHash == m.envelope().headers().hashCode()
          && bodyHash == Arrays.hashCode(m.body())
          && now.isBefore(remembered.plus(REFUSED_MEMORY));
    }
  }

  private volatile Runnable onClose = () -> {};
  final LongAdder handled = new LongAdder();
  final LongAdder failures = new LongAdder();
  final LongAdder retried = new LongAdder();
  final LongAdder deadLettered = new LongAdder();
  final LongAdder expired = new LongAdder();
  final LongAdder released = new LongAdder();
  private volatile @Nullable TransportConsumer consumer;
  private volatile boolean userPaused;
  private volatile boolean breakerPaused;
  private volatile boolean draining;
  private volatile boolean closed;

  ManagedConsumer(
      Engine engine,
      Destination destination,
      String group,
      Class<T> type,
      Invocation<T> invocation,
      ConsumerOptions options,
      boolean responder) {
    this.engine = engine;
    this.destination = destination;
    this.group = group;
    this.type = type;
    this.invocation = invocation;
    this.options = options;
    this.responder = responder;
    this.breaker =
        options
            .breaker()
            .map(
                b ->
                    new BreakerGate(
                        b,
                        engine,
                        new BreakerGate.Target() {
                          @Override
                          public void breakerPause() {
                            pauseForBreaker();
                          }

                          @Override
                          public void breakerResume() {
                            resumeAfterBreaker();
                          }

                          @Override
                          public String describe() {
                            return ManagedConsumer.this.describe();
                          }
                        }))
            .orElse(null);
  }

  /** Starts consuming; separate from the constructor so the transport sees a complete object. */
  ManagedConsumer<T> start() {
    ConsumerSpec spec =
        new ConsumerSpec(
            destination,
            group,
            options.concurrency(),
            options.prefetch(),
            options.retry().redeliveryDelays());
    TransportConsumer started = engine.transport().consume(spec, this);
    consumer = started;
    if (breakerPaused || userPaused) {
      started.pause();
    }
    LOG.info(
        "{} started on {} (concurrency {}, prefetch {})",
        describe(),
        engine.transport().name(),
        options.concurrency(),
        options.prefetch());
    return this;
  }

  String describe() {
    return (responder ? "responder on " : "consumer of ") + destination + " group " + group;
  }

  Engine engine() {
    return engine;
  }

  Destination destinationValue() {
    return destination;
  }

  Class<T> type() {
    return type;
  }

  Invocation<T> invocation() {
    return invocation;
  }

  ConsumerOptions options() {
    return options;
  }

  boolean isResponder() {
    return responder;
  }

  @Nullable BreakerGate breaker() {
    return breaker;
  }

  boolean isDraining() {
    return draining || closed;
  }

  @Override
  public CompletionStage<Void> onDelivery(Delivery delivery) {
    // Count the delivery before looking at the drain flag: drain sets the flag, then waits for
    // the count, so a delivery either sees the flag or is waited for, never neither.
    inFlight.incrementAndGet();
    if (draining || closed) {
      settled();
      return giveBack(delivery);
    }
    if (breaker != null && !breaker.tryAcquire()) {
      settled();
      return giveBack(delivery);
    }
    Attempts<T> attempts = new Attempts<>(this, delivery);
    try {
      attempts.start();
    } catch (RuntimeException e) {
      // Attempts contains every failure it can foresee; this is the last line of defence.
      engine.listener().toolkitError("unexpected failure handling a delivery on " + describe(), e);
      if (breaker != null) {
        breaker.release();
      }
      attempts.settle(giveBack(delivery));
    }
    return attempts.done();
  }

  /**
   * Gives a delivery back to the broker without counting an attempt, and remembers it, so that the
   * broker's delivery count is not held against the message (see {@link #givenBack}).
   */
  CompletionStage<Void> giveBack(Delivery delivery) {
    released.increment();
    if (givenBack.size() > 10_000) {
      givenBack.clear(); // bounded: forgetting only makes the delivery limit stricter
    }
    givenBack.merge(delivery.message().envelope().id(), 1, Integer::sum);
    return delivery.release();
  }

  /** How often this consumer gave the message back unhandled. */
  int givenBack(String id) {
    if (givenBack.isEmpty()) {
      return 0;
    }
    return givenBack.getOrDefault(id, 0);
  }

  /** Remembers the failure of a message whose dead letter kept being refused; see above. */
  void rememberRefusedDeadLetter(WireMessage message, Failure failure, Instant now) {
    synchronized (refusedDeadLetters) {
      refusedDeadLetters.put(message.envelope().id(), RefusedDeadLetter.of(message, failure, now));
      anyRefused = true;
    }
  }

  /**
   * The failure this consumer could not dead-letter for exactly this message, if it remembers one;
   * a different message with the same id makes it forget.
   */
  @Nullable Failure refusedDeadLetter(WireMessage message, Instant now) {
    if (!anyRefused) {
      return null; // the common case: no lock on the hot path
    }
    String id = message.envelope().id();
    RefusedDeadLetter refused = refusedDeadLetters.get(id);
    if (refused == null) {
      return null;
    }
    if (!refused.matches(message, now)) {
      forgetRefused(id);
      return null;
    }
    return refused.failure();
  }

  private void forgetRefused(String id) {
    synchronized (refusedDeadLetters) {
      refusedDeadLetters.remove(id);
      anyRefused = !refusedDeadLetters.isEmpty();
    }
  }

  /** The message was settled for good; stop remembering its give-backs. */
  void forget(String id) {
    if (!givenBack.isEmpty()) {
      givenBack.remove(id);
    }
    if (anyRefused) {
      forgetRefused(id);
    }
  }

  boolean isClosed() {
    return closed;
  }

  void onClose(Runnable action) {
    this.onClose = action;
  }

  /** Called by {@link Attempts} once its delivery is settled. */
  void settled() {
    // Only a drain waits for the count to reach zero, and it sets draining before it reads the
    // count, so a consumer that keeps up takes no monitor per message.
    if (inFlight.decrementAndGet() == 0 && draining) {
      synchronized (monitor) {
        monitor.notifyAll();
      }
    }
  }

  void waitingForRetry(Attempts<T> attempts, boolean waiting) {
    if (waiting) {
      waitingForRetry.add(attempts);
    } else {
      waitingForRetry.remove(attempts);
    }
  }

  private void pauseForBreaker() {
    breakerPaused = true;
    TransportConsumer c = consumer;
    if (c != null) {
      c.pause();
    }
  }

  private void resumeAfterBreaker() {
    breakerPaused = false;
    TransportConsumer c = consumer;
    if (c != null && !userPaused && !draining && !closed) {
      c.resume();
    }
  }

  @Override
  public String destination() {
    return destination.name();
  }

  @Override
  public String group() {
    return group;
  }

  @Override
  public ConsumerState state() {
    TransportConsumer c = consumer;
    if (closed) {
      return ConsumerState.STOPPED;
    }
    if (c != null && c.failed()) {
      return ConsumerState.FAILED;
    }
    if (draining) {
      return ConsumerState.DRAINING;
    }
    if (userPaused) {
      return ConsumerState.PAUSED;
    }
    if (breakerPaused) {
      return ConsumerState.PAUSED_BY_BREAKER;
    }
    return ConsumerState.RUNNING;
  }

  @Override
  public void pause() {
    userPaused = true;
    TransportConsumer c = consumer;
    if (c != null) {
      c.pause();
    }
  }

  @Override
  public void resume() {
    userPaused = false;
    TransportConsumer c = consumer;
    if (c != null && !breakerPaused && !draining && !closed) {
      c.resume();
    }
  }

  @Override
  public DrainReport drain(Duration timeout) {
    long start = System.nanoTime();
    int atStart;
    long releasedAtStart = released.sum();
    synchronized (monitor) {
      if (closed) {
        return new DrainReport(0, 0, 0, Duration.ZERO);
      }
      draining = true;
      atStart = inFlight.get();
    }
    TransportConsumer c = consumer;
    if (c != null) {
      c.stopFetching();
    }
    // Messages waiting for an in-process retry are not running: hand them to the broker tier
    // now, attempt counted, instead of making the drain wait out their backoff.
    int handedOver = 0;
    for (Attempts<T> waiting : waitingForRetry) {
      if (waiting.handOverForDrain()) {
        handedOver++;
      }
    }
    long deadline = start + timeout.toNanos();
    synchronized (monitor) {
      while (inFlight.get() > 0) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          break;
        }
        try {
          TimeUnit.NANOSECONDS.timedWait(monitor, left);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        }
      }
    }
    int unfinished = inFlight.get();
    long remaining = Math.max(0, deadline - System.nanoTime());
    closeTransport(Duration.ofNanos(Math.max(remaining, TimeUnit.MILLISECONDS.toNanos(500))));
    closed = true;
    onClose.run();
    int returned = (int) (released.sum() - releasedAtStart) + handedOver;
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    DrainReport report =
        new DrainReport(Math.max(0, atStart - unfinished - handedOver), returned, unfinished, took);
    if (unfinished > 0) {
      LOG.warn(
          "{} drained with {} handler(s) still running after {}; their messages will be"
              + " delivered again. Give drain a longer timeout to let them finish",
          describe(),
          unfinished,
          timeout);
    } else {
      LOG.info("{} drained in {} ms: {}", describe(), took.toMillis(), report);
    }
    return report;
  }

  @Override
  public ConsumerStats stats() {
    return new ConsumerStats(
        handled.sum(),
        failures.sum(),
        retried.sum(),
        deadLettered.sum(),
        expired.sum(),
        released.sum(),
        inFlight.get());
  }

  @Override
  public void close() {
    synchronized (monitor) {
      if (closed) {
        return;
      }
      draining = true;
    }
    TransportConsumer c = consumer;
    if (c != null) {
      c.stopFetching();
    }
    // A message waiting for an in-process retry goes back now, not when its timer fires.
    for (Attempts<T> waiting : waitingForRetry) {
      waiting.abandonForClose();
    }
    closed = true;
    closeTransport(Duration.ofSeconds(5));
    onClose.run();
    LOG.info("{} closed", describe());
  }

  private void closeTransport(Duration timeout) {
    if (breaker != null) {
      breaker.close();
    }
    TransportConsumer c = consumer;
    if (c != null) {
      try {
        c.close(timeout);
      } catch (RuntimeException e) {
        engine.listener().toolkitError("closing " + describe() + " failed", e);
      }
    }
  }

  /** Builds the message for a broker redelivery: same id, key, headers and bytes. */
  static WireMessage nextAttempt(WireMessage current, int nextAttempt, String firstFailure) {
    Envelope next =
        current.envelope().toBuilder()
            .attempt(nextAttempt)
            .header(Attempts.FIRST_FAILURE, firstFailure)
            .build();
    return current.withEnvelope(next);
  }

  private static final CompletableFuture<Void> DONE = CompletableFuture.completedFuture(null);

  /** A shared completed stage; the core never completes or obtrudes it. */
  static CompletableFuture<Void> done() {
    return DONE;
  }
}
