package dev.switchboard.kafka;

import dev.switchboard.messaging.TransportException;
import dev.switchboard.messaging.spi.Delivery;
import dev.switchboard.messaging.spi.WireMessage;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A record of a consumer group member, as the core sees it. Settling marks the offset in the
 * partition's ledger; {@link #ack()} completes once a commit covers the offset. {@link #release()}
 * asks the poll loop to seek the partition back to its lowest unsettled offset once nothing of the
 * partition is in the handler, so the record (and nothing already settled) is delivered again.
 */
final class RecordDelivery implements Delivery, Dispatcher.Task {
  private static final Logger LOG = LoggerFactory.getLogger(RecordDelivery.class);

  private final GroupLoop loop;
  private final PartitionLedger ledger;
  private final ConsumerRecord<byte[], byte[]> record;

  private final LazyDecoded decoded;

  private final @Nullable String orderingKey;
  private final long dueAt;
  private final AtomicBoolean settling = new AtomicBoolean();
  private final AtomicBoolean finished = new AtomicBoolean();

  RecordDelivery(
      GroupLoop loop, PartitionLedger ledger, ConsumerRecord<byte[], byte[]> record, long delayMs) {
    this.loop = loop;
    this.ledger = ledger;
    this.record = record;
    this.decoded = new LazyDecoded(record);
    // The raw key bytes, so that even a key that is not valid UTF-8 keeps its order.
    this.orderingKey =
        record.key() == null ? null : new String(record.key(), StandardCharsets.ISO_8859_1);
    this.dueAt = delayMs > 0 ? record.timestamp() + delayMs : Long.MIN_VALUE;
  }

  GroupLoop loop() {
    return loop;
  }

  PartitionLedger ledger() {
    return ledger;
  }

  /** When a record from a retry topic may be handed out, in epoch milliseconds. */
  long dueAt() {
    return dueAt;
  }

  @Override
  public @Nullable String key() {
    return orderingKey;
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
                      "The handler of {} completed without settling the record at {}-{}@{};"
                          + " it is released and will be delivered again",
                      loop.label(),
                      record.topic(),
                      record.partition(),
                      record.offset(),
                      e);
                  release();
                }
              });
    } catch (RuntimeException e) {
      LOG.error(
          "The handler of {} threw for {}-{}@{}, which it must never do; the record is released",
          loop.label(),
          record.topic(),
          record.partition(),
          record.offset(),
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
    return record;
  }

  @Override
  public CompletionStage<Void> ack() {
    settling.set(true);
    CompletionStage<Void> f = ledger.settle(record.offset());
    finish();
    // The ledger completes it on the completion thread already, batched per commit.
    return f;
  }

  @Override
  public CompletionStage<Void> release() {
    settling.set(true);
    return handOff(giveBack());
  }

  @Override
  public CompletionStage<Void> redeliver(WireMessage next, Duration delay) {
    return publishThenAck(
        () ->
            loop.routes()
                .redeliver(next, delay, record.topic(), record.partition(), record.offset()));
  }

  @Override
  public CompletionStage<Void> deadLetter(WireMessage deadLetter) {
    return publishThenAck(
        () ->
            loop.routes()
                .deadLetter(deadLetter, record.topic(), record.partition(), record.offset()));
  }

  /** Takes the record back before it reached the handler; it stays unsettled. */
  void withdrawn() {
    if (finished.compareAndSet(false, true)) {
      ledger.returned();
      loop.returned(this, false);
    }
  }

  private CompletionStage<Void> publishThenAck(Supplier<CompletableFuture<Void>> publish) {
    settling.set(true);
    if (!ledger.active()) {
      finish();
      return CompletableFuture.failedStage(
          new TransportException(
              "partition "
                  + ledger.partition()
                  + " was reassigned; nothing was published and the record will be delivered"
                  + " again by its new owner"));
    }
    return handOff(
        publish
            .get()
            .handle(
                (v, e) -> {
                  if (e == null) {
                    CompletionStage<Void> acked = ledger.settle(record.offset());
                    finish();
                    // The copy is stored: report success even if the commit later fails, or the
                    // core would publish it again. An uncommitted record is only read again.
                    return acked.exceptionally(
                        failure -> {
                          LOG.warn(
                              "{}: stored the copy of {}-{}@{} but could not commit past it; it"
                                  + " will be delivered again",
                              loop.label(),
                              record.topic(),
                              record.partition(),
                              record.offset(),
                              failure);
                          return null;
                        });
                  }
                  // Nothing stored and nothing acknowledged: the record stays held, and the core
                  // decides whether to try the publish again or give the record back.
                  return CompletableFuture.<Void>failedFuture(TopicAdmin.unwrap(e));
                })
            .thenCompose(f -> f));
  }

  /**
   * Asks for the partition to be read again from its lowest unsettled offset. Records of the
   * partition waiting behind this one are taken back before its key is freed, so none of them
   * overtakes it.
   */
  private CompletableFuture<Void> giveBack() {
    CompletableFuture<Void> f = ledger.rewindThen(() -> loop.withdrawPartition(ledger));
    finish();
    return f;
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
      ledger.returned();
      loop.returned(this, true);
    }
  }
}
