package dev.switchboard.kafka;

import dev.switchboard.messaging.TransportException;
import dev.switchboard.messaging.spi.DeliveryHandler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.AcknowledgeType;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaShareConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicIdPartition;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The poll loop of one share group member, for a work queue.
 *
 * <p>Owns: one {@link KafkaShareConsumer} in explicit acknowledgement mode with {@code
 * record_limit} acquisition, touched only by its poll thread, and the records it has acquired and
 * not yet settled.
 *
 * <p>Threads: workers call the handler and put acknowledgements on a queue; the poll thread applies
 * them ({@code acknowledge}), confirms them with {@code commitSync}, and completes each settling
 * stage from the per-partition result.
 *
 * <p>Why it is shaped this way: in explicit mode every record of the last poll must be acknowledged
 * before the next poll, yet handlers run for as long as they need. So the loop polls only when it
 * has room (at most half of {@code prefetch} unsettled), when a record's acquisition lock is half
 * spent, or before {@code max.poll.interval.ms} would pass; before each poll it renews ({@link
 * AcknowledgeType#RENEW}) every record still in the handler. A renewed record is returned by a
 * later poll; until then it cannot be acknowledged, so a settlement arriving meanwhile is held and
 * applied when the record is back. A renewal the broker refuses, or one that does not come back
 * within the lock duration, means the lock is lost: the broker delivers the record again and its
 * settlement fails. When idle with records in the handler, polls back off to once a second to avoid
 * renewing without need.
 */
final class ShareLoop {
  private static final Logger LOG = LoggerFactory.getLogger(ShareLoop.class);

  /** One settlement waiting for the poll thread. */
  record Request(ShareDelivery delivery, AcknowledgeType type, CompletableFuture<Void> result) {}

  private record RecordId(String topic, int partition, long offset) {}

  private final String label;
  private final KafkaSettings settings;
  private final KafkaShareConsumer<byte[], byte[]> consumer;
  private final String topic;
  private final Dispatcher dispatcher;
  private final Executor completions;
  private final DeliveryHandler handler;
  private final GroupRoutes routes;
  private final TopicAdmin.ShareLimits limits;
  private final Map<RecordId, ShareDelivery> entries = new HashMap<>();
  private final LinkedBlockingQueue<Request> requests = new LinkedBlockingQueue<>();
  private final List<Request> carried = new ArrayList<>();
  private final CountDownLatch terminated = new CountDownLatch(1);
  private final Thread thread;
  private volatile boolean paused;
  private volatile boolean stopped;
  private volatile boolean closing;
  private volatile boolean closed;
  private volatile boolean failed;
  private volatile long settleDeadlineNanos;
  private volatile long closeDeadlineNanos;
  private boolean subscribed;
  private long lastPollNanos = System.nanoTime();

  ShareLoop(
      String label,
      KafkaSettings settings,
      String group,
      String topic,
      Dispatcher dispatcher,
      Executor completions,
      DeliveryHandler handler,
      GroupRoutes routes,
      TopicAdmin.ShareLimits limits,
      int prefetch) {
    this.label = label;
    this.settings = settings;
    this.topic = topic;
    this.dispatcher = dispatcher;
    this.completions = completions;
    this.handler = handler;
    this.routes = routes;
    this.limits = limits;
    this.consumer = new KafkaShareConsumer<>(settings.shareConsumerConfig(group, prefetch));
    this.consumer.setAcknowledgementCommitCallback(this::onAcknowledged);
    this.thread = Threads.factory("sb-kafka-" + group + "-share-poll").newThread(this::run);
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

  int deliveryCountLimit() {
    return limits.deliveryCountLimit();
  }

  void pause() {
    paused = true;
  }

  void resume() {
    paused = false;
  }

  void stopFetching() {
    stopped = true;
  }

  boolean failed() {
    return failed;
  }

  void beginClose(long settleDeadlineNanos, long closeDeadlineNanos) {
    this.settleDeadlineNanos = settleDeadlineNanos;
    this.closeDeadlineNanos = closeDeadlineNanos;
    closing = true;
  }

  boolean awaitClosed(Duration timeout) throws InterruptedException {
    return terminated.await(Math.max(1, timeout.toMillis()), TimeUnit.MILLISECONDS);
  }

  /** Whether the consumer has closed; settling fails from then on. */
  boolean isClosed() {
    return closed;
  }

  /** Why settling failed after close. */
  TransportException closedFailure() {
    return new TransportException(
        label + " is closed; unsettled messages go back to the broker and are delivered again");
  }

  /** Queues an acknowledgement; the stage completes when the broker confirmed it. */
  CompletableFuture<Void> acknowledge(ShareDelivery d, AcknowledgeType type) {
    CompletableFuture<Void> f = new CompletableFuture<>();
    if (closed) {
      f.completeExceptionally(closedFailure());
      return f;
    }
    requests.add(new Request(d, type, f));
    if (closed && requests.remove(new Request(d, type, f))) {
      f.completeExceptionally(closedFailure());
    }
    return f;
  }

  void returned(ShareDelivery d, boolean wasOut) {
    if (wasOut) {
      dispatcher.done(d);
    }
  }

  /** A delivery's handler will not run again; only its settlement is left. */
  void handlerFinished(ShareDelivery d) {
    dispatcher.handlerFinished(d);
  }

  private void run() {
    try {
      LOG.info("Consuming {} from Kafka topic {} as a share group member", label, topic);
      while (!(closing && (entries.isEmpty() || System.nanoTime() >= settleDeadlineNanos))) {
        if (!iterate()) {
          break;
        }
      }
    } catch (RuntimeException | Error e) {
      failed = true;
      LOG.error("The Kafka share poll loop of {} stopped; restart the consumer", label, e);
    } finally {
      shutdown();
    }
  }

  private boolean iterate() {
    try {
      applyRequests();
      long now = System.nanoTime();
      if (closing || stopped || paused) {
        if (closing || stopped) {
          withdrawUnstarted();
        }
        if (subscribed && mustPollToKeepLocks(now)) {
          pollOnce(false);
        } else {
          if (paused && !closing && !stopped && entries.isEmpty() && subscribed) {
            consumer.unsubscribe();
            subscribed = false;
          }
          awaitRequest(waitNanos(now));
        }
        return true;
      }
      if (!subscribed) {
        consumer.subscribe(List.of(topic));
        subscribed = true;
      }
      if (entries.isEmpty() || mustPollToKeepLocks(now)) {
        pollOnce(true);
      } else {
        awaitRequest(waitNanos(now));
      }
      return true;
    } catch (WakeupException e) {
      return true;
    } catch (RetriableException e) {
      LOG.warn("Kafka share poll of {} failed and is retried: {}", label, e.toString(), e);
      return true;
    } catch (KafkaException | IllegalStateException e) {
      failed = true;
      LOG.error(
          "Kafka share consumer of {} failed and stops; check the broker (share groups must be"
              + " enabled) and the group's ACLs, then restart the consumer",
          label,
          e);
      return false;
    }
  }

  /**
   * Whether a poll is due although records are still in the handler: a lock is half spent, a
   * renewed record has not come back yet, or {@code max.poll.interval.ms} is half gone.
   */
  private boolean mustPollToKeepLocks(long now) {
    if (entries.isEmpty()) {
      return false;
    }
    if (now - lastPollNanos >= TimeUnit.MILLISECONDS.toNanos(settings.maxPollIntervalMs()) / 2) {
      return true;
    }
    for (ShareDelivery d : entries.values()) {
      if (d.state == ShareDelivery.State.RENEWING) {
        return true;
      }
    }
    return untilRenewal(now) <= 0;
  }

  private long waitNanos(long now) {
    return Math.max(1_000_000, Math.min(settings.pollTimeout().toNanos(), untilRenewal(now)));
  }

  /** Nanoseconds until the earliest held record is half-way through its lock. */
  private long untilRenewal(long now) {
    long half = TimeUnit.MILLISECONDS.toNanos(lockMs()) / 2;
    long next = Long.MAX_VALUE;
    for (ShareDelivery d : entries.values()) {
      if (d.state == ShareDelivery.State.HELD) {
        next = Math.min(next, d.acquiredNanos + half - now);
      }
    }
    return next;
  }

  private long lockMs() {
    Optional<Integer> fromBroker = consumer.acquisitionLockTimeoutMs();
    return fromBroker.map(Integer::longValue).orElse(limits.lockDurationMs());
  }

  /**
   * Renews every record still in the handler (the consumer refuses to poll while a record of the
   * last poll is unacknowledged), then polls. A renewed record that comes back is the same delivery
   * again. New records are handed out, or, when {@code handOut} is false because the consumer is
   * stopping or paused, released at once.
   */
  private void pollOnce(boolean handOut) {
    long now = System.nanoTime();
    for (ShareDelivery d : entries.values()) {
      if (d.state == ShareDelivery.State.HELD) {
        consumer.acknowledge(d.current, AcknowledgeType.RENEW);
        d.state = ShareDelivery.State.RENEWING;
        d.renewSentNanos = now;
      }
    }
    ConsumerRecords<byte[], byte[]> records = consumer.poll(settings.pollTimeout());
    lastPollNanos = System.nanoTime();
    boolean released = false;
    for (ConsumerRecord<byte[], byte[]> r : records) {
      RecordId id = new RecordId(r.topic(), r.partition(), r.offset());
      ShareDelivery d = entries.get(id);
      if (d != null) {
        d.current = r;
        d.state = ShareDelivery.State.HELD;
        d.acquiredNanos = lastPollNanos;
        if (d.held != null) {
          carried.add(d.held);
          d.held = null;
        }
      } else if (handOut) {
        d = new ShareDelivery(this, r, lastPollNanos);
        entries.put(id, d);
        dispatcher.submit(d);
      } else {
        consumer.acknowledge(r, AcknowledgeType.RELEASE);
        released = true;
      }
    }
    if (released) {
      consumer.commitAsync();
    }
    expireRenewals(lastPollNanos);
  }

  /** A renewal that has not come back within the lock duration has lost the lock. */
  private void expireRenewals(long now) {
    long lock = TimeUnit.MILLISECONDS.toNanos(lockMs());
    for (Iterator<ShareDelivery> it = entries.values().iterator(); it.hasNext(); ) {
      ShareDelivery d = it.next();
      if (d.state == ShareDelivery.State.RENEWING && now - d.renewSentNanos > lock) {
        it.remove();
        lose(d, "its lock renewal did not complete within " + lockMs() + " ms");
      }
    }
  }

  private void applyRequests() {
    List<Request> batch = new ArrayList<>(carried);
    carried.clear();
    requests.drainTo(batch);
    List<Request> sent = new ArrayList<>();
    for (Request r : batch) {
      ShareDelivery d = r.delivery();
      if (d.lost) {
        r.result().completeExceptionally(lostFailure(d));
      } else if (d.state == ShareDelivery.State.RENEWING) {
        LOG.debug(
            "{}: {} waits for its lock renewal before the {}", label, idOf(d.current), r.type());
        d.held = r;
      } else {
        try {
          consumer.acknowledge(d.current, r.type());
          sent.add(r);
        } catch (IllegalStateException e) {
          entries.remove(idOf(d.current));
          d.lost = true;
          r.result().completeExceptionally(lostFailure(d));
        }
      }
    }
    if (!sent.isEmpty()) {
      confirm(sent);
    }
  }

  private void confirm(List<Request> sent) {
    Map<TopicIdPartition, Optional<KafkaException>> results;
    try {
      results = consumer.commitSync(settings.operationTimeout());
    } catch (KafkaException e) {
      LOG.warn("Acknowledgements of {} were not confirmed; they will be delivered again", label, e);
      for (Request r : sent) {
        entries.remove(idOf(r.delivery().current));
        r.result().completeExceptionally(new TransportException("acknowledgement failed", e));
      }
      return;
    }
    for (Request r : sent) {
      ConsumerRecord<byte[], byte[]> rec = r.delivery().current;
      entries.remove(idOf(rec));
      Optional<KafkaException> outcome = Optional.empty();
      for (Map.Entry<TopicIdPartition, Optional<KafkaException>> e : results.entrySet()) {
        if (e.getKey().partition() == rec.partition() && rec.topic().equals(e.getKey().topic())) {
          outcome = e.getValue();
        }
      }
      if (outcome.isPresent()) {
        r.result()
            .completeExceptionally(
                new TransportException(
                    "the broker refused the "
                        + r.type()
                        + " of "
                        + rec.topic()
                        + "-"
                        + rec.partition()
                        + "@"
                        + rec.offset()
                        + "; it will be delivered again",
                    outcome.get()));
      } else {
        r.result().complete(null);
      }
    }
  }

  private void onAcknowledged(Map<TopicIdPartition, Set<Long>> offsets, Exception error) {
    if (error == null) {
      return;
    }
    offsets.forEach(
        (tip, set) -> {
          for (long offset : set) {
            RecordId id = new RecordId(tip.topic(), tip.partition(), offset);
            ShareDelivery d = entries.get(id);
            if (d != null && d.state == ShareDelivery.State.RENEWING) {
              entries.remove(id);
              lose(d, "the broker refused its lock renewal: " + error);
            }
          }
        });
  }

  private void lose(ShareDelivery d, String why) {
    d.lost = true;
    LOG.warn(
        "{} lost the lock on {}-{}@{} because {}; the broker will deliver it again",
        label,
        d.current.topic(),
        d.current.partition(),
        d.current.offset(),
        why);
    if (d.held != null) {
      d.held.result().completeExceptionally(lostFailure(d));
      d.held = null;
    }
  }

  private void awaitRequest(long nanos) {
    try {
      Request r = requests.poll(nanos, TimeUnit.NANOSECONDS);
      if (r != null) {
        carried.add(r);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      closing = true;
    }
  }

  private void withdrawUnstarted() {
    for (Dispatcher.Task t :
        dispatcher.withdraw(t -> t instanceof ShareDelivery d && d.loop() == this)) {
      ShareDelivery d = (ShareDelivery) t;
      entries.remove(idOf(d.current));
      d.withdrawn();
    }
  }

  private void shutdown() {
    closed = true;
    LOG.debug("{} closing with {} unsettled records", label, entries.size());
    try {
      applyRequests();
    } catch (RuntimeException e) {
      LOG.debug("{}: last acknowledgements failed", label, e);
    }
    List<Request> left = new ArrayList<>(carried);
    requests.drainTo(left);
    for (ShareDelivery d : entries.values()) {
      if (d.held != null) {
        left.add(d.held);
      }
    }
    left.forEach(r -> r.result().completeExceptionally(closedFailure()));
    try {
      long ms = TimeUnit.NANOSECONDS.toMillis(Math.max(0, closeDeadlineNanos - System.nanoTime()));
      consumer.close(closing ? Duration.ofMillis(ms) : Duration.ofSeconds(5));
    } catch (RuntimeException e) {
      LOG.warn("Kafka share consumer of {} did not close cleanly", label, e);
    } finally {
      entries.clear();
      LOG.info("Stopped consuming {}", label);
      terminated.countDown();
    }
  }

  private static RecordId idOf(ConsumerRecord<byte[], byte[]> r) {
    return new RecordId(r.topic(), r.partition(), r.offset());
  }

  private TransportException lostFailure(ShareDelivery d) {
    return new TransportException(
        label + " lost the acquisition lock on " + idOf(d.current) + "; it is delivered again");
  }
}
