package dev.switchboard.rabbit;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.ShutdownListener;
import com.rabbitmq.client.ShutdownSignalException;
import dev.switchboard.messaging.TransportException;
import java.io.IOException;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One channel of a {@link RabbitConsumer} and the broker consumer on it.
 *
 * <p>Design: a {@link Live} is one incarnation of the channel; it is replaced, never reopened, when
 * the channel closes, and its {@code lost} future completes at that moment. Every delivery
 * remembers the incarnation it arrived on, so settling it after the channel closed fails at once
 * with a clear message instead of acknowledging a tag the new channel does not know (the broker
 * delivers such a message again). A {@link Subscription} is one {@code basic.consume}; pausing
 * cancels it but keeps the channel, so deliveries already handed out can still be settled.
 *
 * <p>Threads: deliveries arrive on a dispatch thread, which stays in {@link #dispatch} until the
 * delivery is settled, its handler will not run again, or the channel is lost. Settling,
 * subscribing and cancelling come from any thread and are serialized by {@link #lock}; the shutdown
 * listener runs on the I/O thread and only completes futures and schedules work, it never takes the
 * lock.
 */
final class ConsumerChannel {
  private static final Logger LOG = LoggerFactory.getLogger(ConsumerChannel.class);

  private final RabbitConsumer owner;
  private final int index;
  private final int prefetch;
  private final ReentrantLock lock = new ReentrantLock();
  private @Nullable Live live;
  private @Nullable Subscription subscription;
  private volatile boolean topologyLost;

  ConsumerChannel(RabbitConsumer owner, int index, int prefetch) {
    this.owner = owner;
    this.index = index;
    this.prefetch = prefetch;
  }

  int index() {
    return index;
  }

  int prefetch() {
    return prefetch;
  }

  /** Whether the broker cancelled the consumer (queue deleted) since the last subscription. */
  boolean topologyLost() {
    return topologyLost;
  }

  /** Makes sure a broker consumer is active on an open channel; a no-op if one is. */
  void subscribe() throws IOException {
    lock.lock();
    try {
      if (!owner.fetching()) {
        return;
      }
      Live l = live;
      if (l == null || l.lost.isDone() || !l.channel.isOpen()) {
        if (l != null) {
          ConfirmingPublisher.closeQuietly(l.channel);
        }
        l = open();
        live = l;
        subscription = null;
      }
      Subscription s = subscription;
      if (s != null && s.active) {
        return;
      }
      s = new Subscription(l);
      s.active = true;
      try {
        s.tag =
            l.channel.basicConsume(
                owner.group().queue(), false, consumerTag(), false, false, null, s);
      } catch (IOException | RuntimeException e) {
        s.active = false;
        throw e;
      }
      subscription = s;
      topologyLost = false;
    } finally {
      lock.unlock();
    }
  }

  /** Cancels the broker consumer, keeping the channel so handed-out deliveries can settle. */
  void cancel() {
    lock.lock();
    try {
      Subscription s = subscription;
      subscription = null;
      if (s == null || !s.active) {
        return;
      }
      s.active = false;
      if (s.live.channel.isOpen() && s.tag != null) {
        s.live.channel.basicCancel(s.tag);
      }
    } catch (IOException | RuntimeException e) {
      LOG.debug("cancelling consumer {} of {} failed", index, owner.group().describe(), e);
    } finally {
      lock.unlock();
    }
  }

  /** Cancels and closes the channel; unsettled messages go back to the broker. */
  void close(long timeoutNanos) {
    cancel();
    Live l;
    lock.lock();
    try {
      l = live;
      live = null;
    } finally {
      lock.unlock();
    }
    if (l == null) {
      return;
    }
    CompletableFuture<Void> closing =
        CompletableFuture.runAsync(
            () -> ConfirmingPublisher.closeQuietly(l.channel), owner.connections().callbacks());
    try {
      closing.get(timeoutNanos, TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      LOG.warn(
          "channel {} of {} did not close in time; the broker takes its messages back when the"
              + " connection closes",
          index,
          owner.group().describe());
    } catch (ExecutionException e) {
      LOG.debug("closing channel {} of {} failed", index, owner.group().describe(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Whether a delivery that arrived on {@code from} can still be acknowledged: its consumer is not
   * closing and that channel is still open. A hint only, since the channel may close right after.
   */
  boolean isUsable(Live from) {
    return !owner.closed() && !from.lost.isDone() && from.channel.isOpen();
  }

  /** Runs one settling operation on the channel the delivery came from. */
  CompletableFuture<Void> settle(Live from, long tag, Settle op, String what) {
    lock.lock();
    try {
      if (from.lost.isDone() || !from.channel.isOpen()) {
        return CompletableFuture.failedFuture(
            new TransportException(
                "cannot "
                    + what
                    + " a message of "
                    + owner.group().describe()
                    + ": the channel it arrived on has closed, so the broker will deliver it"
                    + " again"));
      }
      op.apply(from.channel, tag);
      return CompletableFuture.completedFuture(null);
    } catch (IOException | RuntimeException e) {
      return CompletableFuture.failedFuture(
          new TransportException(
              "cannot " + what + " a message of " + owner.group().describe() + ": " + e, e));
    } finally {
      lock.unlock();
    }
  }

  /** A channel operation on one delivery tag. */
  @FunctionalInterface
  interface Settle {
    void apply(Channel channel, long tag) throws IOException;
  }

  private Live open() throws IOException {
    Channel channel = owner.connections().openChannel(RabbitConnections.Role.CONSUME);
    Live l = new Live(channel);
    try {
      channel.addShutdownListener(l);
      channel.basicQos(prefetch);
    } catch (IOException | RuntimeException e) {
      ConfirmingPublisher.closeQuietly(channel);
      throw e;
    }
    return l;
  }

  private String consumerTag() {
    return owner.settings().connectionName()
        + "-"
        + owner.group().queue()
        + "-"
        + index
        + "-"
        + Long.toHexString(System.nanoTime());
  }

  private void dispatch(
      Subscription s, Envelope envelope, AMQP.BasicProperties props, byte[] body) {
    long tag = envelope.getDeliveryTag();
    // A delivery that arrives after a pause or stop (the broker had sent it already) still goes
    // to the core, which settles it like any handed-out message and remembers a give-back.
    // Released here, it would count against the message's delivery limit unseen by the core.
    AmqpCodec.Decoded decoded =
        AmqpCodec.decode(props, body, owner.settings().quorum(), Instant.now());
    RabbitDelivery delivery =
        new RabbitDelivery(
            owner,
            this,
            s.live,
            tag,
            decoded,
            new com.rabbitmq.client.Delivery(envelope, props, body));
    CompletableFuture<Void> settled = new CompletableFuture<>();
    try {
      CompletionStage<Void> stage = owner.handler().onDelivery(delivery);
      stage.whenComplete((v, e) -> settled.complete(null));
    } catch (RuntimeException e) {
      LOG.error(
          "the delivery handler of {} threw instead of settling; releasing the message",
          owner.group().describe(),
          e);
      delivery.release();
      return;
    }
    try {
      // Holding the dispatch thread is what bounds this channel to one delivery in the handler,
      // and what keeps a failed message's in-process retries ahead of the messages behind it.
      // Once the handler will not run again only the settlement is left (a responder's reply
      // waiting
      // for its confirmation, then the ack), so the next delivery may start; the channel's
      // prefetch still bounds the deliveries that are not settled.
      CompletableFuture.anyOf(settled, delivery.whenHandlerFinished(), s.live.lost).get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException e) {
      LOG.trace("settling a delivery of {} failed", owner.group().describe(), e);
    }
  }

  /** One incarnation of the channel. */
  final class Live implements ShutdownListener {
    final Channel channel;
    final CompletableFuture<Void> lost = new CompletableFuture<>();

    Live(Channel channel) {
      this.channel = channel;
    }

    @Override
    public void shutdownCompleted(ShutdownSignalException cause) {
      lost.complete(null);
      if (cause.isInitiatedByApplication() || owner.closed()) {
        return;
      }
      if (cause.isHardError()) {
        // The connection dropped; the transport resubscribes after it recovers.
        return;
      }
      String reason = RabbitConnections.describe(cause);
      if (isConsumerTimeout(cause)) {
        LOG.warn(
            "a handler of {} held a message longer than the broker's consumer timeout, so the"
                + " broker closed channel {} ({}); its unacknowledged messages will be delivered"
                + " again and counted. Re-subscribing on a new channel. Raise consumer_timeout"
                + " in rabbitmq.conf, make the handler faster, or lower the prefetch",
            owner.group().describe(),
            index,
            reason,
            cause);
      } else {
        LOG.warn(
            "the broker closed channel {} of {} ({}); its unacknowledged messages will be"
                + " delivered again. Re-subscribing on a new channel",
            index,
            owner.group().describe(),
            reason,
            cause);
      }
      owner.scheduleResubscribe(ConsumerChannel.this, 0, 0);
      try {
        owner.connections().callbacks().execute(() -> ConfirmingPublisher.closeQuietly(channel));
      } catch (RejectedExecutionException e) {
        LOG.trace("transport closing", e);
      }
    }
  }

  static boolean isConsumerTimeout(ShutdownSignalException cause) {
    return cause.getReason() instanceof AMQP.Channel.Close close
        && close.getReplyCode() == AMQP.PRECONDITION_FAILED
        && close.getReplyText() != null
        && close.getReplyText().contains("acknowledgement")
        && close.getReplyText().contains("timed out");
  }

  /** One {@code basic.consume} on a {@link Live} channel. */
  private final class Subscription extends DefaultConsumer {
    final Live live;
    volatile boolean active;
    volatile @Nullable String tag;

    Subscription(Live live) {
      super(live.channel);
      this.live = live;
    }

    @Override
    public void handleDelivery(
        String consumerTag, Envelope envelope, AMQP.BasicProperties props, byte[] body) {
      dispatch(this, envelope, props, body);
    }

    @Override
    public void handleCancel(String consumerTag) {
      if (!active) {
        return;
      }
      active = false;
      topologyLost = true;
      LOG.warn(
          "the broker cancelled consumer {} of {} (was the queue deleted?); declaring the queue"
              + " again and re-subscribing",
          index,
          owner.group().describe());
      owner.scheduleResubscribe(ConsumerChannel.this, 0, 0);
    }
  }
}
