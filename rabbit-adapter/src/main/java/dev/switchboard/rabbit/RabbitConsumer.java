package dev.switchboard.rabbit;

import dev.switchboard.messaging.spi.ConsumerSpec;
import dev.switchboard.messaging.spi.DeliveryHandler;
import dev.switchboard.messaging.spi.TransportConsumer;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One consumer group member: {@code concurrency} channels on the consuming connection, each with
 * its own broker consumer on the group queue.
 *
 * <p>Design: concurrency comes from channels, not from a worker pool. The client library runs each
 * channel's deliveries one after another on a dispatch thread; {@link ConsumerChannel} calls the
 * core's handler on that thread and keeps the thread until the delivery is settled, so at most
 * {@code concurrency} deliveries are in the handler and no delivery changes threads on its way in.
 * Each channel's prefetch is {@code prefetch / concurrency} (at least 1), so the broker holds back
 * the rest.
 *
 * <p>Recovery: a channel the broker closes (a consumer timeout, a refused operation) is replaced at
 * once on a callback thread, retried every {@code recoveryInterval}; after {@value
 * #MAX_RESUBSCRIBE_FAILURES} failures in a row while the connection is up, the consumer reports
 * {@link #failed()}. When the connection itself drops, the transport calls {@link
 * #resubscribeAll()} after it has recovered and re-declared the topology.
 *
 * <p>State flags are volatile and only move forward (paused is the exception); every channel
 * operation happens inside {@link ConsumerChannel} under its lock.
 */
final class RabbitConsumer implements TransportConsumer {
  private static final Logger LOG = LoggerFactory.getLogger(RabbitConsumer.class);
  static final int MAX_RESUBSCRIBE_FAILURES = 10;

  private final GroupTopology group;
  private final DeliveryHandler handler;
  private final RabbitSettings settings;
  private final RabbitConnections connections;
  private final Topology topology;
  private final ConfirmingPublisher publisher;
  private final Consumer<RabbitConsumer> onClose;
  private final List<ConsumerChannel> channels;
  private volatile boolean paused;
  private volatile boolean stopped;
  private volatile boolean closed;
  private volatile boolean failed;

  RabbitConsumer(
      ConsumerSpec spec,
      GroupTopology group,
      DeliveryHandler handler,
      RabbitSettings settings,
      RabbitConnections connections,
      Topology topology,
      ConfirmingPublisher publisher,
      Consumer<RabbitConsumer> onClose) {
    this.group = group;
    this.handler = handler;
    this.settings = settings;
    this.connections = connections;
    this.topology = topology;
    this.publisher = publisher;
    this.onClose = onClose;
    int prefetch = Math.max(1, spec.prefetch() / spec.concurrency());
    List<ConsumerChannel> list = new ArrayList<>(spec.concurrency());
    for (int i = 0; i < spec.concurrency(); i++) {
      list.add(new ConsumerChannel(this, i, prefetch));
    }
    this.channels = List.copyOf(list);
  }

  /** Subscribes every channel; fails if the broker refuses the first subscription. */
  void start() {
    for (ConsumerChannel channel : channels) {
      try {
        channel.subscribe();
      } catch (IOException | RuntimeException e) {
        throw new dev.switchboard.messaging.TransportException(
            "cannot start consuming " + group.describe() + ": " + e, e);
      }
    }
    LOG.info(
        "consuming {} on {} channel(s), prefetch {} each",
        group.describe(),
        channels.size(),
        channels.get(0).prefetch());
  }

  @Override
  public void pause() {
    paused = true;
    channels.forEach(ConsumerChannel::cancel);
  }

  @Override
  public void resume() {
    if (stopped || closed || !paused) {
      return;
    }
    paused = false;
    resubscribeAll();
  }

  @Override
  public void stopFetching() {
    stopped = true;
    channels.forEach(ConsumerChannel::cancel);
  }

  @Override
  public boolean failed() {
    return failed;
  }

  @Override
  public void close(Duration timeout) {
    if (closed) {
      return;
    }
    closed = true;
    stopped = true;
    long deadline = System.nanoTime() + timeout.toNanos();
    for (ConsumerChannel channel : channels) {
      channel.close(Math.max(0, deadline - System.nanoTime()));
    }
    onClose.accept(this);
    LOG.info("stopped consuming {}", group.describe());
  }

  /** Whether new deliveries should be handed to the handler. */
  boolean fetching() {
    return !paused && !stopped && !closed;
  }

  boolean closed() {
    return closed;
  }

  /** Resubscribes every channel that lost its broker consumer (after connection recovery). */
  void resubscribeAll() {
    for (ConsumerChannel channel : channels) {
      scheduleResubscribe(channel, 0, 0);
    }
  }

  void scheduleResubscribe(ConsumerChannel channel, long delayMillis, int failures) {
    if (!fetching()) {
      return;
    }
    try {
      connections
          .timer()
          .schedule(
              () -> connections.callbacks().execute(() -> resubscribe(channel, failures)),
              delayMillis,
              TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      LOG.debug("transport closing; not resubscribing {}", group.describe(), e);
    }
  }

  private void resubscribe(ConsumerChannel channel, int failures) {
    if (!fetching()) {
      return;
    }
    try {
      if (channel.topologyLost()) {
        topology.redeclare(group);
      }
      channel.subscribe();
      if (failed) {
        LOG.info("consumer of {} subscribed again", group.describe());
      }
      failed = false;
    } catch (IOException | RuntimeException e) {
      if (!connections.isOpen(RabbitConnections.Role.CONSUME)) {
        // The connection recovery hook resubscribes once the connection is back.
        LOG.debug("not resubscribing {} while the connection is down", group.describe(), e);
        return;
      }
      int n = failures + 1;
      if (n >= MAX_RESUBSCRIBE_FAILURES) {
        failed = true;
        LOG.error(
            "giving up on consumer channel {} of {} after {} failed attempts to subscribe; fix"
                + " the cause and restart the consumer",
            channel.index(),
            group.describe(),
            n,
            e);
        return;
      }
      LOG.warn(
          "subscribing channel {} of {} failed (attempt {}); retrying in {}",
          channel.index(),
          group.describe(),
          n,
          settings.recoveryInterval(),
          e);
      scheduleResubscribe(channel, settings.recoveryInterval().toMillis(), n);
    }
  }

  /**
   * Where a redelivery after {@code delay} goes: the group queue for no delay, else the wait queue
   * of the smallest level not shorter than {@code delay}, else the longest level. A group without
   * levels (its retry policy retries only in process) redelivers at once, because a queue per
   * requested delay would leave a durable queue behind for every jittered value.
   */
  Route waitRoute(Duration delay) {
    if (delay.isNegative() || delay.isZero()) {
      return group.groupRoute();
    }
    Route level = group.waitRouteFor(delay);
    if (level != null) {
      return level;
    }
    LOG.debug(
        "{} has no redelivery delay levels; redelivering at once instead of after {}",
        group.describe(),
        delay);
    return group.groupRoute();
  }

  GroupTopology group() {
    return group;
  }

  DeliveryHandler handler() {
    return handler;
  }

  RabbitSettings settings() {
    return settings;
  }

  RabbitConnections connections() {
    return connections;
  }

  ConfirmingPublisher publisher() {
    return publisher;
  }
}
