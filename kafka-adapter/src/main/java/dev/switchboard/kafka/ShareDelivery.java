package dev.switchboard.kafka;

import dev.switchboard.messaging.spi.Delivery;
import dev.switchboard.messaging.spi.WireMessage;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.AcknowledgeType;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A record acquired by a share consumer. Settling sends an acknowledgement through the poll thread
 * (ACCEPT, RELEASE); the returned stage completes when the broker confirmed it. The fields below
 * {@code state} belong to the poll thread.
 */
final class ShareDelivery implements Delivery, Dispatcher.Task {
  private static final Logger LOG = LoggerFactory.getLogger(ShareDelivery.class);

  /** Where the record stands with the share consumer. */
  enum State {
    /**
     * In the consumer's current batch, {@code unacknowledged} copies of it: it can be acknowledged,
     * and must be before the next poll.
     */
    HELD,
    /** The broker confirmed a renewal of its lock; the next poll returns the record. */
    RENEWED,
    /** A renewal was sent and its outcome is not known yet. */
    RENEWING
  }

  private final ShareLoop loop;
  private final ConsumerRecord<byte[], byte[]> first;

  private final LazyDecoded decoded;

  private final AtomicBoolean settling = new AtomicBoolean();
  private final AtomicBoolean finished = new AtomicBoolean();

  State state = State.HELD;
  ConsumerRecord<byte[], byte[]> current;
  long acquiredNanos;
  long renewSentNanos;

  /**
   * How many copies of this record the consumer has in flight and not yet acknowledged: usually
   * one, more when a poll returned the same offset from several fetched batches.
   */
  int unacknowledged = 1;

  ShareLoop.@Nullable Request held;
  boolean lost;

  ShareDelivery(ShareLoop loop, ConsumerRecord<byte[], byte[]> record, long nowNanos) {
    this.loop = loop;
    this.first = record;
    this.decoded = new LazyDecoded(record);
    this.current = record;
    this.acquiredNanos = nowNanos;
  }

  ShareLoop loop() {
    return loop;
  }

  @Override
  public @Nullable String key() {
    return null;
  }

  @Override
  public void run() {
    try {
      loop.handler()
          .onDelivery(this)
          .whenComplete(
              (v, e) -> {
                if (!settling.get()) {
                  LOG.warn(
                      "The handler of {} completed without settling {}-{}@{}; it is released",
                      loop.label(),
                      first.topic(),
                      first.partition(),
                      first.offset(),
                      e);
                  release();
                }
              });
    } catch (RuntimeException e) {
      LOG.error(
          "The handler of {} threw for {}-{}@{}, which it must never do; the record is released",
          loop.label(),
          first.topic(),
          first.partition(),
          first.offset(),
          e);
      if (!settling.get()) {
        release();
      }
    }
  }

  @Override
  public void handlerFinished() {
    loop.handlerFinished(this);
  }

  @Override
  public WireMessage message() {
    return decoded.get().message();
  }

  @Override
  public List<String> problems() {
    return decoded.get().problems();
  }

  @Override
  public Object nativeRecord() {
    return first;
  }

  @Override
  public int brokerDeliveryCount() {
    return first.deliveryCount().map(Short::intValue).orElse(0);
  }

  @Override
  public CompletionStage<Void> ack() {
    settling.set(true);
    CompletableFuture<Void> f = loop.acknowledge(this, AcknowledgeType.ACCEPT);
    finish();
    return handOff(f);
  }

  @Override
  public CompletionStage<Void> release() {
    settling.set(true);
    if (brokerDeliveryCount() >= loop.deliveryCountLimit()) {
      // A release now would make the broker archive the record: pass it on through the
      // group's redrive topic instead, so it is delivered again and not lost.
      return publishThenAccept(() -> loop.routes().redrive(message()));
    }
    CompletableFuture<Void> f = loop.acknowledge(this, AcknowledgeType.RELEASE);
    finish();
    return handOff(f);
  }

  /**
   * Gives back a record the handler never saw (withdrawn, or fetched while the consumer was
   * stopping), the way {@link #release()} does, so that a record on its last delivery is redriven
   * rather than archived. If that redrive cannot be published the record is released after all: the
   * consumer must acknowledge it before its next poll. Called on the poll thread after {@link
   * #withdrawn()}.
   */
  void giveBack() {
    boolean redrive = brokerDeliveryCount() >= loop.deliveryCountLimit();
    CompletionStage<Void> given;
    try {
      given = release();
    } catch (RuntimeException e) {
      given = CompletableFuture.failedStage(e);
    }
    given.whenComplete(
        (v, e) -> {
          if (e == null) {
            return;
          }
          if (redrive && !loop.isClosed()) {
            LOG.warn(
                "{}: {}-{}@{} could not be passed on through the redrive topic and is released; the"
                    + " broker archives it, since this was its last delivery",
                loop.label(),
                first.topic(),
                first.partition(),
                first.offset(),
                e);
            loop.acknowledge(this, AcknowledgeType.RELEASE);
          } else {
            LOG.debug(
                "{}: giving back {}-{}@{} failed; the broker delivers it again",
                loop.label(),
                first.topic(),
                first.partition(),
                first.offset(),
                e);
          }
        });
  }

  @Override
  public CompletionStage<Void> redeliver(WireMessage next, Duration delay) {
    return publishThenAccept(
        () ->
            loop.routes().redeliver(next, delay, first.topic(), first.partition(), first.offset()));
  }

  @Override
  public CompletionStage<Void> deadLetter(WireMessage deadLetter) {
    return publishThenAccept(
        () ->
            loop.routes().deadLetter(deadLetter, first.topic(), first.partition(), first.offset()));
  }

  /** Takes the record back before it reached the handler. */
  void withdrawn() {
    if (finished.compareAndSet(false, true)) {
      loop.returned(this, false);
    }
  }

  private CompletionStage<Void> publishThenAccept(Supplier<CompletableFuture<Void>> publish) {
    settling.set(true);
    if (loop.isClosed()) {
      // Publishing now would only duplicate it: the broker has the record back already.
      finish();
      return CompletableFuture.failedStage(loop.closedFailure());
    }
    return handOff(
        publish
            .get()
            .handle(
                (v, e) -> {
                  if (e == null) {
                    CompletableFuture<Void> f = loop.acknowledge(this, AcknowledgeType.ACCEPT);
                    finish();
                    // The copy is stored: report success even if the broker refuses the accept
                    // (a lost lock), or the core would publish it again. The record will simply
                    // be delivered again.
                    return f.exceptionally(
                        failure -> {
                          LOG.warn(
                              "{}: stored the copy of {}-{}@{} but the broker refused to accept"
                                  + " the original; it will be delivered again",
                              loop.label(),
                              first.topic(),
                              first.partition(),
                              first.offset(),
                              failure);
                          return null;
                        });
                  }
                  // Nothing stored and nothing acknowledged: the record stays acquired, and the
                  // core decides whether to try the publish again or release it.
                  return CompletableFuture.<Void>failedFuture(TopicAdmin.unwrap(e));
                })
            .thenCompose(f -> f));
  }

  /**
   * The stage the core sees: it completes on the transport's completion thread, so nothing the core
   * chains onto it ever runs on a poll thread.
   */
  private CompletionStage<Void> handOff(CompletableFuture<Void> f) {
    return f.whenCompleteAsync((v, e) -> {}, loop.completions());
  }

  private void finish() {
    if (finished.compareAndSet(false, true)) {
      loop.returned(this, true);
    }
  }
}
