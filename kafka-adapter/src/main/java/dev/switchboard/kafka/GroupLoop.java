package dev.switchboard.kafka;

import dev.switchboard.messaging.spi.DeliveryHandler;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The poll loop of one consumer group member ({@code group.protocol=consumer}).
 *
 * <p>Owns: one {@link KafkaConsumer}, touched only by its own poll thread; a {@link
 * PartitionLedger} per assigned partition; for retry topics, a buffer per partition of records
 * whose redelivery time has not come.
 *
 * <p>Threads: the poll thread polls, hands records to the {@link Dispatcher} (whose workers call
 * the handler), pauses and resumes partitions, seeks, and commits. Worker threads settle deliveries
 * through the ledgers and never touch the consumer. Nothing the handler does can delay a poll, so a
 * slow handler never exceeds {@code max.poll.interval.ms}.
 *
 * <p>Invariants: an offset is committed only when it and every earlier fetched offset of its
 * partition are settled (higher settled offsets travel in the commit metadata); commits never move
 * backwards. Flow control: while {@code prefetch} or more records are out, the poll thread parks
 * until settlements bring the count down to half of {@code prefetch}, and polls again at once. Only
 * when the commit interval or the poll timeout, whichever is shorter (at least 1 ms), passes
 * without that does it pause every partition, and it polls without waiting to stay in the group, so
 * fast handlers never see a pause and resume, whose fetch churn would cost more than the wait. A
 * retry partition is paused while its buffer holds a record not yet due, and the poll timeout is
 * cut to wake up when the head is due, so the loop never sleeps. A partition with a release pending
 * is paused, its not-yet-started records are withdrawn, and once none of its records is out the
 * loop seeks back to the lowest unsettled offset. On revocation the loop commits what is settled
 * and withdraws what has not started.
 */
final class GroupLoop implements ConsumerRebalanceListener {
  /** The shortest wait for room in the prefetch, whatever the commit interval. */
  private static final Duration MIN_WAIT = Duration.ofMillis(1);

  private static final Logger LOG = LoggerFactory.getLogger(GroupLoop.class);

  private final String label;
  private final KafkaSettings settings;
  private final KafkaConsumer<byte[], byte[]> consumer;
  private final List<String> topics;
  private final Map<String, Long> delays;
  private final Dispatcher dispatcher;
  private final Executor completions;
  private final DeliveryHandler handler;
  private final GroupRoutes routes;
  private final int prefetch;
  private final int lowWater;
  private final Map<TopicPartition, PartitionLedger> ledgers = new ConcurrentHashMap<>();
  private final Map<TopicPartition, ArrayDeque<RecordDelivery>> notDue = new HashMap<>();
  private final AtomicInteger out = new AtomicInteger();
  private final AtomicInteger revocations = new AtomicInteger();
  private final CountDownLatch terminated = new CountDownLatch(1);
  private final Thread thread;
  private volatile Set<TopicPartition> assignment = Set.of();
  private volatile boolean paused;
  private volatile boolean awaitingRoom;
  private volatile boolean stopped;
  private volatile boolean closing;
  private volatile boolean failed;
  private volatile long settleDeadlineNanos;
  private volatile long closeDeadlineNanos;
  private long lastCommitNanos;

  GroupLoop(
      String label,
      KafkaSettings settings,
      String groupId,
      List<String> topics,
      Map<String, Long> delays,
      Dispatcher dispatcher,
      Executor completions,
      DeliveryHandler handler,
      GroupRoutes routes,
      int prefetch) {
    this.label = label;
    this.settings = settings;
    this.topics = List.copyOf(topics);
    this.delays = Map.copyOf(delays);
    this.dispatcher = dispatcher;
    this.completions = completions;
    this.handler = handler;
    this.routes = routes;
    this.prefetch = prefetch;
    this.lowWater = prefetch / 2;
    this.consumer = new KafkaConsumer<>(settings.groupConsumerConfig(groupId, prefetch));
    this.thread = Threads.factory("sb-kafka-" + groupId + "-poll").newThread(this::run);
  }

  void start() {
    thread.start();
  }

  String label() {
    return label;
  }

  /** Where settling stages complete for the core. */
  Executor completions() {
    return completions;
  }

  DeliveryHandler handler() {
    return handler;
  }

  GroupRoutes routes() {
    return routes;
  }

  void pause() {
    paused = true;
    LockSupport.unpark(thread);
  }

  void resume() {
    paused = false;
    LockSupport.unpark(thread);
  }

  void stopFetching() {
    stopped = true;
    LockSupport.unpark(thread);
  }

  boolean failed() {
    return failed;
  }

  /** Partitions assigned now; for tests. */
  Set<TopicPartition> assignment() {
    return assignment;
  }

  /** How often partitions were revoked or lost; for tests. */
  int revocations() {
    return revocations.get();
  }

  /**
   * Asks the loop to stop: it waits until {@code settleDeadlineNanos} for records out to settle,
   * commits, and closes the consumer by {@code closeDeadlineNanos}.
   */
  void beginClose(long settleDeadlineNanos, long closeDeadlineNanos) {
    this.settleDeadlineNanos = settleDeadlineNanos;
    this.closeDeadlineNanos = closeDeadlineNanos;
    closing = true;
    LockSupport.unpark(thread);
  }

  /** Waits until the poll thread has closed the consumer. */
  boolean awaitClosed(Duration timeout) throws InterruptedException {
    return terminated.await(Math.max(1, timeout.toMillis()), TimeUnit.MILLISECONDS);
  }

  /** A delivery came back: settled, released or withdrawn. */
  void returned(RecordDelivery d, boolean wasOut) {
    // The flag is read after the decrement and written before the count is checked, so either
    // this thread sees the poll thread waiting or the poll thread sees the lower count.
    if (out.decrementAndGet() <= lowWater && awaitingRoom) {
      LockSupport.unpark(thread);
    }
    if (wasOut) {
      dispatcher.done(d);
    }
  }

  /** A delivery's handler will not run again; only its settlement is left. */
  void handlerFinished(RecordDelivery d) {
    dispatcher.handlerFinished(d);
  }

  private void run() {
    try {
      consumer.subscribe(topics, this);
      LOG.info("Consuming {} from Kafka topics {}", label, topics);
      while (!(closing && (out.get() == 0 || System.nanoTime() >= settleDeadlineNanos))) {
        if (!iterate()) {
          break;
        }
      }
      commitNow(List.copyOf(ledgers.values()));
    } catch (RuntimeException | Error e) {
      failed = true;
      LOG.error("The Kafka poll loop of {} stopped; restart the consumer", label, e);
    } finally {
      shutdown();
    }
  }

  /** One pass of the loop; false when the loop must stop. */
  private boolean iterate() {
    try {
      if (closing || stopped) {
        withdraw(d -> true);
        notDue.clear();
      }
      if (throttled()) {
        // Bounded by the commit interval too: commit callbacks complete acknowledgements, and
        // they run only inside a poll. Never below MIN_WAIT, so that a zero commit interval
        // cannot turn a full prefetch into a busy loop.
        Duration interval = settings.commitInterval();
        Duration timeout = nextTimeout();
        Duration wait = timeout.compareTo(interval) < 0 ? timeout : interval;
        awaitRoom(wait.compareTo(MIN_WAIT) < 0 ? MIN_WAIT : wait);
      }
      applyFlowControl();
      // Still full after that wait (the commit interval or the poll timeout, whichever is
      // shorter): everything is paused now, and a poll that returns at once keeps the member
      // alive and runs the rebalance callbacks.
      ConsumerRecords<byte[], byte[]> records =
          consumer.poll(throttled() ? Duration.ZERO : nextTimeout());
      for (TopicPartition tp : records.partitions()) {
        accept(tp, records.records(tp));
      }
      releaseDue();
      rewind();
      commit();
      return true;
    } catch (WakeupException e) {
      return true;
    } catch (RetriableException e) {
      LOG.warn("Kafka poll of {} failed and is retried: {}", label, e.toString(), e);
      return true;
    } catch (KafkaException | IllegalStateException e) {
      failed = true;
      LOG.error(
          "Kafka consumer of {} failed and stops; check the broker and the group's ACLs, then"
              + " restart the consumer",
          label,
          e);
      return false;
    }
  }

  /** Takes one partition's records of a poll: one ledger and one dispatcher call for all. */
  private void accept(TopicPartition tp, List<ConsumerRecord<byte[], byte[]>> fetched) {
    if (fetched.isEmpty()) {
      return;
    }
    PartitionLedger ledger = ledgers.get(tp);
    if (ledger == null) {
      // The assignment callback could not read the position; start from what was fetched.
      ledger = new PartitionLedger(tp, fetched.get(0).offset(), new OffsetRanges(), completions);
      ledgers.put(tp, ledger);
    }
    List<ConsumerRecord<byte[], byte[]>> fresh = ledger.fetched(fetched);
    if (fresh.size() < fetched.size()) {
      LOG.debug(
          "{}: skipping {} records of {} settled before", label, fetched.size() - fresh.size(), tp);
    }
    long delay = delays.getOrDefault(tp.topic(), 0L);
    List<RecordDelivery> batch = new ArrayList<>(fresh.size());
    for (ConsumerRecord<byte[], byte[]> r : fresh) {
      batch.add(new RecordDelivery(this, ledger, r, delay));
    }
    if (delay > 0) {
      notDue.computeIfAbsent(tp, k -> new ArrayDeque<>()).addAll(batch);
    } else {
      handOut(ledger, batch);
    }
  }

  /** Hands records of one partition to the dispatcher, unless the partition is rewinding. */
  private void handOut(PartitionLedger ledger, List<RecordDelivery> batch) {
    if (batch.isEmpty()) {
      return;
    }
    ledger.handOutUnlessRewinding(
        batch.size(),
        () -> {
          out.addAndGet(batch.size());
          dispatcher.submitAll(batch);
        });
  }

  private void releaseDue() {
    if (paused || stopped || closing) {
      return;
    }
    long now = System.currentTimeMillis();
    for (Iterator<ArrayDeque<RecordDelivery>> it = notDue.values().iterator(); it.hasNext(); ) {
      ArrayDeque<RecordDelivery> queue = it.next();
      while (!queue.isEmpty() && queue.peek().dueAt() <= now) {
        RecordDelivery d = queue.poll();
        handOut(d.ledger(), List.of(d));
      }
      if (queue.isEmpty()) {
        it.remove();
      }
    }
  }

  private Duration nextTimeout() {
    long timeout = settings.pollTimeout().toMillis();
    if (!paused && !stopped && !closing) {
      long now = System.currentTimeMillis();
      for (ArrayDeque<RecordDelivery> queue : notDue.values()) {
        if (!queue.isEmpty()) {
          timeout = Math.min(timeout, Math.max(0, queue.peek().dueAt() - now));
        }
      }
    }
    return Duration.ofMillis(timeout);
  }

  /** True while the loop has paused everything only because {@code prefetch} records are out. */
  private boolean throttled() {
    return !paused && !stopped && !closing && out.get() >= prefetch;
  }

  /**
   * Parks the poll thread until at most {@code lowWater} records are out, the loop is paused,
   * stopped or closing, or {@code timeout} passes. The consumer's background thread may go on
   * fetching into its buffer meanwhile; the poll that follows keeps the member alive.
   */
  private void awaitRoom(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    awaitingRoom = true;
    try {
      while (out.get() > lowWater && !paused && !stopped && !closing) {
        long left = deadline - System.nanoTime();
        if (left <= 0 || Thread.currentThread().isInterrupted()) {
          return;
        }
        LockSupport.parkNanos(this, left);
      }
    } finally {
      awaitingRoom = false;
    }
  }

  private void applyFlowControl() {
    Set<TopicPartition> assigned = consumer.assignment();
    boolean all = paused || stopped || closing || out.get() >= prefetch;
    Set<TopicPartition> want = new HashSet<>();
    for (TopicPartition tp : assigned) {
      PartitionLedger ledger = ledgers.get(tp);
      ArrayDeque<RecordDelivery> waiting = notDue.get(tp);
      if (all
          || (waiting != null && !waiting.isEmpty())
          || (ledger != null && ledger.rewindRequested())) {
        want.add(tp);
      }
    }
    Set<TopicPartition> current = consumer.paused();
    List<TopicPartition> toPause = new ArrayList<>();
    for (TopicPartition tp : want) {
      if (!current.contains(tp)) {
        toPause.add(tp);
      }
    }
    List<TopicPartition> toResume = new ArrayList<>();
    for (TopicPartition tp : current) {
      if (!want.contains(tp) && assigned.contains(tp)) {
        toResume.add(tp);
      }
    }
    if (!toPause.isEmpty()) {
      consumer.pause(toPause);
    }
    if (!toResume.isEmpty()) {
      consumer.resume(toResume);
    }
  }

  private void rewind() {
    for (PartitionLedger ledger : ledgers.values()) {
      if (!ledger.rewindRequested()) {
        continue;
      }
      TopicPartition tp = ledger.partition();
      withdraw(d -> d.ledger() == ledger);
      notDue.remove(tp);
      Optional<Long> point = ledger.rewindPoint();
      if (point.isPresent()) {
        consumer.seek(tp, point.get());
        ledger.rewound();
        LOG.debug("{}: released records of {} are delivered again from {}", label, tp, point);
      }
    }
  }

  /** Takes back the not-yet-started records of one partition; any thread. */
  void withdrawPartition(PartitionLedger ledger) {
    withdraw(d -> d.ledger() == ledger);
  }

  private void withdraw(java.util.function.Predicate<RecordDelivery> which) {
    for (Dispatcher.Task t :
        dispatcher.withdraw(
            t -> t instanceof RecordDelivery d && d.loop() == this && which.test(d))) {
      ((RecordDelivery) t).withdrawn();
    }
  }

  private void commit() {
    long now = System.nanoTime();
    if (now - lastCommitNanos < settings.commitInterval().toNanos()) {
      return;
    }
    lastCommitNanos = now;
    Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
    Map<PartitionLedger, PartitionLedger.Commit> sent = new HashMap<>();
    for (PartitionLedger ledger : ledgers.values()) {
      ledger
          .nextCommit(false)
          .ifPresent(
              c -> {
                offsets.put(ledger.partition(), c.offset());
                sent.put(ledger, c);
              });
    }
    if (offsets.isEmpty()) {
      return;
    }
    consumer.commitAsync(
        offsets,
        (result, error) -> {
          if (error == null) {
            sent.forEach(PartitionLedger::committed);
          } else {
            LOG.warn("Commit of {} failed and is retried: {}", label, error.toString(), error);
            sent.keySet().forEach(PartitionLedger::commitFailed);
          }
        });
  }

  /** Commits synchronously what the given ledgers have settled. */
  private void commitNow(Collection<PartitionLedger> which) {
    Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
    Map<PartitionLedger, PartitionLedger.Commit> sent = new HashMap<>();
    for (PartitionLedger ledger : which) {
      ledger
          .nextCommit(true)
          .ifPresent(
              c -> {
                offsets.put(ledger.partition(), c.offset());
                sent.put(ledger, c);
              });
    }
    if (offsets.isEmpty()) {
      return;
    }
    try {
      consumer.commitSync(offsets, settings.operationTimeout());
      sent.forEach(PartitionLedger::committed);
    } catch (KafkaException e) {
      LOG.warn(
          "Commit of {} for {} failed; their settled records may be delivered again",
          label,
          offsets.keySet(),
          e);
      sent.keySet().forEach(PartitionLedger::commitFailed);
    }
  }

  @Override
  public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
    List<PartitionLedger> gone = new ArrayList<>();
    for (TopicPartition tp : partitions) {
      PartitionLedger l = ledgers.get(tp);
      if (l != null) {
        gone.add(l);
      }
    }
    commitNow(gone);
    drop(partitions);
  }

  @Override
  public void onPartitionsLost(Collection<TopicPartition> partitions) {
    LOG.warn(
        "{} lost partitions {} without a chance to commit; their records in progress will be"
            + " delivered again",
        label,
        partitions);
    drop(partitions);
  }

  @Override
  public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
    if (!partitions.isEmpty()) {
      Map<TopicPartition, OffsetAndMetadata> committed = Map.of();
      try {
        committed = consumer.committed(new HashSet<>(partitions), settings.operationTimeout());
      } catch (KafkaException e) {
        LOG.warn("{} could not read committed offsets of {}", label, partitions, e);
      }
      for (TopicPartition tp : partitions) {
        try {
          long position = consumer.position(tp, settings.operationTimeout());
          OffsetAndMetadata c = committed.get(tp);
          OffsetRanges settled =
              c != null && c.offset() == position
                  ? OffsetRanges.decode(c.metadata(), position)
                  : new OffsetRanges();
          ledgers.put(tp, new PartitionLedger(tp, position, settled, completions));
        } catch (KafkaException e) {
          LOG.warn("{} could not read the position of {}; it is read from records", label, tp, e);
        }
      }
      LOG.info("{} was assigned {}", label, partitions);
    }
    assignment = Set.copyOf(consumer.assignment());
  }

  private void drop(Collection<TopicPartition> partitions) {
    if (partitions.isEmpty()) {
      return;
    }
    revocations.incrementAndGet();
    for (TopicPartition tp : partitions) {
      PartitionLedger ledger = ledgers.remove(tp);
      notDue.remove(tp);
      if (ledger != null) {
        ledger.revoke();
        withdraw(d -> d.ledger() == ledger);
      }
    }
    Set<TopicPartition> now = new HashSet<>(consumer.assignment());
    now.removeAll(partitions);
    assignment = Set.copyOf(now);
    LOG.info("{} gave up partitions {}", label, partitions);
  }

  private void shutdown() {
    try {
      long left = Math.max(0, closeDeadlineNanos - System.nanoTime());
      consumer.close(
          CloseOptions.timeout(closing ? Duration.ofNanos(left) : Duration.ofSeconds(5)));
    } catch (RuntimeException e) {
      LOG.warn("Kafka consumer of {} did not close cleanly", label, e);
    } finally {
      ledgers.values().forEach(PartitionLedger::revoke);
      ledgers.clear();
      notDue.clear();
      assignment = Set.of();
      LOG.info("Stopped consuming {}", label);
      terminated.countDown();
    }
  }

  /** The commit point of a partition; for tests. */
  long commitPoint(TopicPartition tp) {
    PartitionLedger l = ledgers.get(tp);
    return l == null ? -1 : l.commitPointForTest();
  }
}
