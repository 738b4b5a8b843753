package dev.switchboard.rabbit;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.ConfirmListener;
import com.rabbitmq.client.ReturnListener;
import com.rabbitmq.client.ShutdownListener;
import com.rabbitmq.client.ShutdownSignalException;
import dev.switchboard.messaging.PublishException;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes messages on one confirm-mode channel and completes a future per message when the broker
 * confirms it.
 *
 * <p>Design: one channel per publisher, guarded by {@link #lock}, which is held only for reading
 * the next publish sequence number, recording the message and writing it to the socket (never
 * across a broker round trip, except to open a channel). Confirms are pipelined: up to {@code
 * confirmWindow} messages are in flight, tracked by sequence number in a sorted map, and a
 * (possibly multiple) ack or nack settles every entry up to its tag. A returned message (no queue
 * bound) is matched to its entry by exchange, routing key and message id, since the broker sends
 * the return just before that message's ack on the same channel.
 *
 * <p>Threads: callers publish from any thread. Acks, nacks, returns and channel shutdown arrive on
 * the connection's I/O thread; futures are completed on the callback pool so that caller code never
 * runs on (or blocks) the I/O thread. A timer sweep fails entries older than {@code
 * publishTimeout}.
 *
 * <p>Invariants: an entry is settled by whoever removes it from the map, so each future completes
 * once and each window permit is released once. A channel that closed for any reason is never
 * reused: its entries fail at once (their outcome is unknown) and the next publish opens a new
 * channel through the {@link ChannelOpener}; while the connection is down that fails immediately.
 */
final class ConfirmingPublisher {
  private static final Logger LOG = LoggerFactory.getLogger(ConfirmingPublisher.class);

  /** Opens and prepares a channel; confirm mode and listeners are added by the publisher. */
  @FunctionalInterface
  interface ChannelOpener {
    Channel open() throws IOException;
  }

  private final String label;
  private final ChannelOpener opener;
  private final RabbitSettings settings;
  private final RabbitConnections connections;
  private final Semaphore window;
  private final long timeoutNanos;
  private final ReentrantLock lock = new ReentrantLock();
  private final ScheduledFuture<?> sweep;
  private volatile @Nullable Tracker tracker;
  private volatile boolean closed;

  ConfirmingPublisher(
      String label, ChannelOpener opener, RabbitSettings settings, RabbitConnections connections) {
    this.label = label;
    this.opener = opener;
    this.settings = settings;
    this.connections = connections;
    this.window = new Semaphore(settings.confirmWindow());
    this.timeoutNanos = settings.publishTimeout().toNanos();
    long period = Math.max(10, Math.min(1000, settings.publishTimeout().toMillis() / 10));
    this.sweep =
        connections
            .timer()
            .scheduleAtFixedRate(this::failExpired, period, period, TimeUnit.MILLISECONDS);
  }

  /**
   * Publishes {@code body} to {@code route} (mandatory as the route says). The future completes
   * when the broker confirms; it fails with {@code DestinationNotFoundException} when the broker
   * returns the message as unroutable and with {@link PublishException} otherwise.
   */
  CompletableFuture<Void> publish(Route route, AMQP.BasicProperties props, byte[] body) {
    if (closed) {
      return failed(new PublishException("cannot publish to " + route.describe() + ": closed"));
    }
    String blocked = connections.blockedReason();
    if (blocked != null) {
      return failed(
          new PublishException(
              "cannot publish to "
                  + route.describe()
                  + ": the broker blocks publishers ("
                  + blocked
                  + "), usually a memory or disk alarm; free resources on the broker"));
    }
    try {
      if (!window.tryAcquire(timeoutNanos, TimeUnit.NANOSECONDS)) {
        return failed(
            new PublishException(
                "cannot publish to "
                    + route.describe()
                    + ": "
                    + settings.confirmWindow()
                    + " messages stayed unconfirmed for "
                    + settings.publishTimeout()
                    + "; the broker is slow or unreachable"));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return failed(new PublishException("interrupted before publishing to " + route.describe()));
    }
    Pending pending = new Pending(route, props.getMessageId());
    lock.lock();
    try {
      Tracker t;
      try {
        t = current();
      } catch (IOException | RuntimeException e) {
        window.release();
        return failed(disconnected(route, e));
      }
      long seq = t.channel.getNextPublishSeqNo();
      t.pending.put(seq, pending);
      try {
        t.channel.basicPublish(
            route.exchange(), route.routingKey(), route.mandatory(), props, body);
      } catch (IOException | RuntimeException e) {
        if (t.pending.remove(seq, pending)) {
          settle(List.of(pending), disconnected(route, e));
        }
      }
    } finally {
      lock.unlock();
    }
    return pending.future;
  }

  /** Makes sure a channel is open now (used to re-register a reply consumer after recovery). */
  void ensureOpen() throws IOException {
    lock.lock();
    try {
      current();
    } finally {
      lock.unlock();
    }
  }

  /** Waits at most {@code timeout} for outstanding confirms, then closes the channel. */
  void close(Duration timeout) {
    closed = true;
    Tracker t = tracker;
    if (t != null && !t.pending.isEmpty()) {
      CompletableFuture<?>[] outstanding =
          t.pending.values().stream().map(p -> p.future).toArray(CompletableFuture<?>[]::new);
      try {
        CompletableFuture.allOf(outstanding).get(timeout.toNanos(), TimeUnit.NANOSECONDS);
      } catch (TimeoutException e) {
        LOG.warn(
            "{}: {} messages were still unconfirmed when closing after {}; their outcome is"
                + " unknown",
            label,
            t.pending.size(),
            timeout);
      } catch (ExecutionException e) {
        LOG.debug("{}: a message failed while closing", label, e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    sweep.cancel(false);
    lock.lock();
    try {
      if (tracker != null) {
        closeQuietly(tracker.channel);
      }
    } finally {
      lock.unlock();
    }
  }

  /** The open channel's tracker, opening a new channel if the last one closed. Under lock. */
  private Tracker current() throws IOException {
    Tracker t = tracker;
    if (t != null && !t.dead && t.channel.isOpen()) {
      return t;
    }
    if (t != null) {
      closeQuietly(t.channel);
    }
    Channel channel = opener.open();
    try {
      channel.confirmSelect();
    } catch (IOException | RuntimeException e) {
      closeQuietly(channel);
      throw e;
    }
    Tracker fresh = new Tracker(channel);
    channel.addConfirmListener(fresh);
    channel.addReturnListener(fresh);
    channel.addShutdownListener(fresh);
    tracker = fresh;
    LOG.debug("{}: opened channel {}", label, channel.getChannelNumber());
    return fresh;
  }

  private void failExpired() {
    Tracker t = tracker;
    if (t == null || t.pending.isEmpty()) {
      return;
    }
    long now = System.nanoTime();
    List<Pending> expired = new ArrayList<>(0);
    for (Map.Entry<Long, Pending> e : t.pending.entrySet()) {
      if (now - e.getValue().startNanos < timeoutNanos) {
        break;
      }
      if (t.pending.remove(e.getKey(), e.getValue())) {
        expired.add(e.getValue());
      }
    }
    for (Pending p : expired) {
      settle(
          List.of(p),
          new PublishException(
              "the broker did not confirm the message for "
                  + p.route.describe()
                  + " within "
                  + settings.publishTimeout()
                  + "; it may or may not be stored, so publishing again may duplicate it"));
    }
  }

  private void settle(List<Pending> entries, @Nullable Throwable failure) {
    if (entries.isEmpty()) {
      return;
    }
    window.release(entries.size());
    Runnable complete =
        () -> {
          for (Pending p : entries) {
            Throwable f = failure;
            String returned = p.returnedText;
            if (f == null && returned != null) {
              f = p.route.unroutable(returned);
            }
            if (f == null) {
              p.future.complete(null);
            } else {
              p.future.completeExceptionally(f);
            }
          }
        };
    try {
      connections.callbacks().execute(complete);
    } catch (RejectedExecutionException e) {
      complete.run();
    }
  }

  private PublishException disconnected(Route route, Exception cause) {
    return new PublishException(
        "cannot publish to "
            + route.describe()
            + ": no usable channel to "
            + settings.brokerUri()
            + " ("
            + cause
            + "); the transport reconnects every "
            + settings.recoveryInterval(),
        cause);
  }

  private static CompletableFuture<Void> failed(Throwable t) {
    return CompletableFuture.failedFuture(t);
  }

  static void closeQuietly(@Nullable Channel channel) {
    if (channel == null) {
      return;
    }
    try {
      channel.close();
    } catch (IOException | TimeoutException | RuntimeException e) {
      LOG.trace("closing channel {} failed", channel.getChannelNumber(), e);
    }
  }

  /** One published, unconfirmed message. */
  private static final class Pending {
    final CompletableFuture<Void> future = new CompletableFuture<>();
    final Route route;
    final @Nullable String messageId;
    final long startNanos = System.nanoTime();
    volatile @Nullable String returnedText;

    Pending(Route route, @Nullable String messageId) {
      this.route = route;
      this.messageId = messageId;
    }
  }

  /** The unconfirmed messages of one channel, and that channel's listeners. */
  private final class Tracker implements ConfirmListener, ReturnListener, ShutdownListener {
    final Channel channel;
    final ConcurrentSkipListMap<Long, Pending> pending = new ConcurrentSkipListMap<>();
    volatile boolean dead;

    Tracker(Channel channel) {
      this.channel = channel;
    }

    @Override
    public void handleAck(long tag, boolean multiple) {
      settle(take(tag, multiple), null);
    }

    @Override
    public void handleNack(long tag, boolean multiple) {
      List<Pending> taken = take(tag, multiple);
      if (!taken.isEmpty()) {
        settle(
            taken,
            new PublishException(
                "the broker refused (nack) the message for "
                    + taken.get(0).route.describe()
                    + "; it was not stored, publish it again"));
      }
    }

    @Override
    public void handleReturn(
        int replyCode,
        String replyText,
        String exchange,
        String routingKey,
        AMQP.BasicProperties properties,
        byte[] body) {
      String id = properties.getMessageId();
      for (Pending p : pending.values()) {
        if (p.returnedText == null
            && p.route.exchange().equals(exchange)
            && p.route.routingKey().equals(routingKey)
            && Objects.equals(p.messageId, id)) {
          p.returnedText = replyCode + " " + replyText;
          return;
        }
      }
      LOG.debug("{}: a return for {}/{} matched no pending message", label, exchange, routingKey);
    }

    @Override
    public void shutdownCompleted(ShutdownSignalException cause) {
      dead = true;
      List<Pending> all = new ArrayList<>(pending.size());
      for (Long seq : pending.keySet()) {
        Pending p = pending.remove(seq);
        if (p != null) {
          all.add(p);
        }
      }
      if (!all.isEmpty()) {
        settle(
            all,
            new PublishException(
                "the channel closed before the broker confirmed the message for "
                    + all.get(0).route.describe()
                    + " ("
                    + RabbitConnections.describe(cause)
                    + "); it may or may not be stored, so publishing again may duplicate it",
                cause));
      }
      if (!cause.isHardError() && !cause.isInitiatedByApplication()) {
        LOG.warn(
            "{}: the broker closed the publishing channel ({}); the next send opens a new one",
            label,
            RabbitConnections.describe(cause),
            cause);
      }
      try {
        // Unregisters the dead channel, so connection recovery does not reopen it for nothing.
        connections.callbacks().execute(() -> closeQuietly(channel));
      } catch (RejectedExecutionException e) {
        LOG.trace("transport closing; channel {} left to the connection", channel, e);
      }
    }

    private List<Pending> take(long tag, boolean multiple) {
      if (!multiple) {
        Pending p = pending.remove(tag);
        return p == null ? List.of() : List.of(p);
      }
      List<Pending> taken = new ArrayList<>();
      for (Map.Entry<Long, Pending> e : pending.headMap(tag, true).entrySet()) {
        if (pending.remove(e.getKey(), e.getValue())) {
          taken.add(e.getValue());
        }
      }
      return taken;
    }
  }
}
