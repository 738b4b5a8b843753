package dev.switchboard.kafka;

import dev.switchboard.messaging.TransportException;
import dev.switchboard.messaging.spi.DeliveryHandler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
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
import org.apache.kafka.clients.consumer.ShareConsumer;
import org.apache.kafka.common.TopicIdPartition;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.WakeupException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The poll loop of one share group member, for a work queue.
 *
 * <p>Owns: one {@link ShareConsumer} in explicit acknowledgement mode with {@code record_limit}
 * acquisition, touched only by its poll thread, and the records it has acquired and not yet settled
 * ({@code entries}, one {@link ShareDelivery} per offset).
 *
 * <p>Threads: workers call the handler and put acknowledgements on a queue; the poll thread applies
 * them ({@code acknowledge}), confirms them with {@code commitSync}, and completes each settling
 * stage from the per-partition result.
 *
 * <p>Invariant: the loop never polls while the consumer has a record in flight that is not
 * acknowledged (a {@link ShareDelivery.State#HELD} entry), because in explicit mode such a poll
 * throws and would end the consumer. Handlers run for as long as they need, so a record still in
 * the handler when its acquisition lock is half spent is renewed ({@link AcknowledgeType#RENEW})
 * and the renewal is committed at once, not sent with a poll: a poll that carries renewals also
 * fetches, and batches fetched while records are held wait in the consumer's buffer until their
 * locks lapse, after which the broker hands the same offsets out again and one poll returns two
 * copies of a record (see {@link ShareAcks}). A confirmed renewal is collected by the next poll,
 * which returns only renewed records. A settlement arriving meanwhile is held and applied when the
 * record is back. A renewal the broker refuses, or whose outcome is not known within the lock
 * duration, means the lock is lost: the broker delivers the record again and its settlement fails.
 * A record the handler never saw (withdrawn on drain, or fetched while stopping) is given back like
 * a release, so that the consumer still acknowledges it before the next poll.
 *
 * <p>Failures: a rejected login, missing rights, or a broker without share groups stop the loop
 * ({@link #failed()}). Any other failure of the consumer (a state it refuses to go on from) makes
 * the loop replace it: the records it held go back to the broker and are delivered again; see
 * {@link ShareFailures}.
 */
final class ShareLoop {
  private static final Logger LOG = LoggerFactory.getLogger(ShareLoop.class);

  /** How long the loop waits after replacing a failed consumer, so a failure cannot spin. */
  private static final Duration REPLACEMENT_BACKOFF = Duration.ofSeconds(1);

  /** One settlement waiting for the poll thread. */
  record Request(ShareDelivery delivery, AcknowledgeType type, CompletableFuture<Void> result) {}

  private record RecordId(String topic, int partition, long offset) {}

  private final String label;
  private final KafkaSettings settings;
  private final String group;
  private final int prefetch;
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
  private final ShareFailures failures;
  private ShareConsumer<byte[], byte[]> consumer;
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
    this.group = group;
    this.prefetch = prefetch;
    this.topic = topic;
    this.dispatcher = dispatcher;
    this.completions = completions;
    this.handler = handler;
    this.routes = routes;
    this.limits = limits;
    this.failures = new ShareFailures(label);
    this.consumer = newConsumer();
    this.thread = Threads.factory("sb-kafka-" + group + "-share-poll").newThread(this::run);
  }

  private ShareConsumer<byte[], byte[]> newConsumer() {
    KafkaShareConsumer<byte[], byte[]> c =
        new KafkaShareConsumer<>(settings.shareConsumerConfig(group, prefetch));
    c.setAcknowledgementCommitCallback(this::onAcknowledged);
    return c;
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
      resolveRenewals();
      boolean fetching = !(closing || stopped || paused);
      if (closing || stopped) {
        withdrawUnstarted();
      }
      if (fetching && !subscribed) {
        consumer.subscribe(List.of(topic));
        subscribed = true;
      } else if (paused && !closing && !stopped && entries.isEmpty() && subscribed) {
        consumer.unsubscribe();
        subscribed = false;
      }
      long now = System.nanoTime();
      if (renewalDue(now)) {
        renewHeld();
      }
      if (mayPoll(fetching, System.nanoTime())) {
        pollOnce(fetching);
      } else {
        awaitRequest(waitNanos(System.nanoTime()));
      }
      return true;
    } catch (WakeupException e) {
      return true;
    } catch (InterruptException e) {
      closing = true;
      return true;
    } catch (RuntimeException e) {
      switch (failures.onFailure(e, System.nanoTime(), entries.size())) {
        case RETRY -> {
          return true;
        }
        case REPLACE -> {
          replaceConsumer();
          return true;
        }
        default -> {
          failed = true;
          return false;
        }
      }
    }
  }

  /** Whether some record in the handler needs its lock renewed, or a poll is due anyway. */
  private boolean renewalDue(long now) {
    return any(ShareDelivery.State.HELD) && (pollIntervalHalfGone(now) || untilRenewal(now) <= 0);
  }

  private boolean any(ShareDelivery.State state) {
    for (ShareDelivery d : entries.values()) {
      if (d.state == state) {
        return true;
      }
    }
    return false;
  }

  private boolean pollIntervalHalfGone(long now) {
    return now - lastPollNanos >= TimeUnit.MILLISECONDS.toNanos(settings.maxPollIntervalMs()) / 2;
  }

  /**
   * Whether to poll now: never with a record in flight unacknowledged; then to collect renewed
   * records, to fetch when running with nothing in hand, or, with records in hand, because {@code
   * max.poll.interval.ms} is half gone.
   */
  private boolean mayPoll(boolean fetching, long now) {
    if (!subscribed || any(ShareDelivery.State.HELD)) {
      return false;
    }
    return any(ShareDelivery.State.RENEWED)
        || (fetching && entries.isEmpty())
        || (!entries.isEmpty() && pollIntervalHalfGone(now));
  }

  private long waitNanos(long now) {
    long wait = Math.min(settings.pollTimeout().toNanos(), untilRenewal(now));
    if (any(ShareDelivery.State.RENEWING)) {
      // Look again soon: the outcome arrives with the consumer's next call.
      wait = Math.min(wait, TimeUnit.MILLISECONDS.toNanos(100));
    }
    return Math.max(1_000_000, wait);
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
   * Renews the lock of every record still in the handler and commits the renewals at once. A
   * confirmed record comes back with the next poll; a refused one is lost; one whose commit failed
   * waits for the outcome in {@link ShareDelivery.State#RENEWING}.
   */
  private void renewHeld() {
    Map<ShareDelivery, AcknowledgeType> acks = new LinkedHashMap<>();
    for (ShareDelivery d : entries.values()) {
      if (d.state == ShareDelivery.State.HELD) {
        acks.put(d, AcknowledgeType.RENEW);
      }
    }
    long sent = System.nanoTime();
    Map<ShareDelivery, ShareAcks.Outcome> outcomes =
        ShareAcks.send(consumer, acks, settings.operationTimeout());
    outcomes.forEach(
        (d, outcome) -> {
          d.renewSentNanos = sent;
          if (outcome.confirmed()) {
            d.state = ShareDelivery.State.RENEWED;
          } else if (outcome.refusal() != null) {
            entries.remove(idOf(d.current));
            lose(d, "the broker refused its lock renewal: " + outcome.refusal());
          } else {
            d.state = ShareDelivery.State.RENEWING;
          }
        });
  }

  /**
   * Lets the consumer deliver pending acknowledgement outcomes (a commit with nothing to send only
   * does that), and gives up on renewed records not back within the lock duration.
   */
  private void resolveRenewals() {
    if (any(ShareDelivery.State.RENEWING)) {
      consumer.commitSync(Duration.ZERO);
    }
    long now = System.nanoTime();
    long lock = TimeUnit.MILLISECONDS.toNanos(lockMs());
    for (Iterator<ShareDelivery> it = entries.values().iterator(); it.hasNext(); ) {
      ShareDelivery d = it.next();
      if (d.state != ShareDelivery.State.HELD && now - d.renewSentNanos > lock) {
        it.remove();
        lose(d, "it was not back from its lock renewal within " + lockMs() + " ms");
      }
    }
  }

  /**
   * Polls; called only when no record is in flight unacknowledged. A returned record that is
   * already an entry is a renewed one coming back. New records are handed out, or, when {@code
   * handOut} is false because the consumer is stopping or paused, given back at once. An offset
   * returned more than once becomes one delivery with that many copies to acknowledge.
   */
  private void pollOnce(boolean handOut) {
    ConsumerRecords<byte[], byte[]> records = consumer.poll(settings.pollTimeout());
    lastPollNanos = System.nanoTime();
    Map<RecordId, List<ConsumerRecord<byte[], byte[]>>> byId = new LinkedHashMap<>();
    for (ConsumerRecord<byte[], byte[]> r : records) {
      byId.computeIfAbsent(idOf(r), k -> new ArrayList<>(1)).add(r);
    }
    byId.forEach(
        (id, copies) -> {
          ConsumerRecord<byte[], byte[]> newest = ShareAcks.newest(copies);
          if (copies.size() > 1) {
            LOG.debug("{}: the consumer returned {} copies of {}", label, copies.size(), id);
          }
          ShareDelivery d = entries.get(id);
          if (d != null) {
            d.current = newest;
            d.state = ShareDelivery.State.HELD;
            d.unacknowledged = copies.size();
            d.acquiredNanos = lastPollNanos;
            if (d.held != null) {
              carried.add(d.held);
              d.held = null;
            }
            return;
          }
          d = new ShareDelivery(this, newest, lastPollNanos);
          d.unacknowledged = copies.size();
          entries.put(id, d);
          if (handOut) {
            dispatcher.submit(d);
          } else {
            d.withdrawn();
            d.giveBack();
          }
        });
  }

  private void applyRequests() {
    List<Request> batch = new ArrayList<>(carried);
    carried.clear();
    requests.drainTo(batch);
    Map<ShareDelivery, AcknowledgeType> acks = new LinkedHashMap<>();
    Map<ShareDelivery, Request> sent = new HashMap<>();
    for (Request r : batch) {
      ShareDelivery d = r.delivery();
      if (d.lost) {
        r.result().completeExceptionally(lostFailure(d));
      } else if (d.state != ShareDelivery.State.HELD) {
        LOG.debug(
            "{}: {} waits for its lock renewal before the {}", label, idOf(d.current), r.type());
        d.held = r;
      } else if (sent.putIfAbsent(d, r) == null) {
        acks.put(d, r.type());
      } else {
        r.result()
            .completeExceptionally(new TransportException(idOf(d.current) + " settled twice"));
      }
    }
    if (acks.isEmpty()) {
      return;
    }
    Map<ShareDelivery, ShareAcks.Outcome> outcomes =
        ShareAcks.send(consumer, acks, settings.operationTimeout());
    outcomes.forEach(
        (d, outcome) -> {
          entries.remove(idOf(d.current));
          Request r = sent.get(d);
          if (outcome.confirmed()) {
            r.result().complete(null);
          } else if (outcome.unknown() != null) {
            LOG.warn(
                "The {} of {} by {} was not confirmed; it will be delivered again",
                r.type(),
                idOf(d.current),
                label,
                outcome.unknown());
            r.result()
                .completeExceptionally(
                    new TransportException("acknowledgement failed", outcome.unknown()));
          } else {
            d.lost = true;
            r.result().completeExceptionally(ShareAcks.refused(d, r.type(), outcome.refusal()));
          }
        });
  }

  /** Settles renewals whose commit failed, once the consumer knows their outcome. */
  private void onAcknowledged(Map<TopicIdPartition, Set<Long>> offsets, Exception error) {
    offsets.forEach(
        (tip, set) -> {
          for (long offset : set) {
            RecordId id = new RecordId(tip.topic(), tip.partition(), offset);
            ShareDelivery d = entries.get(id);
            if (d == null || d.state != ShareDelivery.State.RENEWING) {
              continue;
            }
            if (error == null) {
              d.state = ShareDelivery.State.RENEWED;
            } else {
              entries.remove(id);
              lose(d, "the broker refused its lock renewal: " + error);
            }
          }
        });
  }

  /** Marks a delivery lost and fails its waiting settlement; logs {@code why} unless null. */
  private void lose(ShareDelivery d, @Nullable String why) {
    d.lost = true;
    if (why != null) {
      LOG.warn(
          "{} lost the lock on {}-{}@{} because {}; the broker will deliver it again",
          label,
          d.current.topic(),
          d.current.partition(),
          d.current.offset(),
          why);
    }
    if (d.held != null) {
      d.held.result().completeExceptionally(lostFailure(d));
      d.held = null;
    }
  }

  /**
   * Replaces the consumer after a failure it cannot go on from. Closing it hands every record it
   * held back to the broker, so each held delivery is lost and its settlement fails.
   */
  private void replaceConsumer() {
    withdraw().forEach(ShareDelivery::withdrawn);
    entries.values().forEach(d -> lose(d, null));
    entries.clear();
    try {
      consumer.close(Duration.ofSeconds(5));
    } catch (RuntimeException e) {
      LOG.warn("The failed Kafka share consumer of {} did not close cleanly", label, e);
    }
    consumer = newConsumer();
    subscribed = false;
    lastPollNanos = System.nanoTime();
    awaitRequest(REPLACEMENT_BACKOFF.toNanos());
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

  /** Takes back records not yet handed to the handler and gives them back to the broker. */
  private void withdrawUnstarted() {
    for (ShareDelivery d : withdraw()) {
      d.withdrawn();
      d.giveBack();
    }
  }

  private List<ShareDelivery> withdraw() {
    List<ShareDelivery> out = new ArrayList<>();
    for (Dispatcher.Task t :
        dispatcher.withdraw(t -> t instanceof ShareDelivery d && d.loop() == this)) {
      out.add((ShareDelivery) t);
    }
    return out;
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
