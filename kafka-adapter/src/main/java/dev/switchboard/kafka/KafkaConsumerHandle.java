package dev.switchboard.kafka;

import dev.switchboard.messaging.spi.TransportConsumer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running consumer: for a topic, a group member reading the topic and the group's retry and
 * redrive topics; for a queue, a share group member on the queue plus a group member on the queue's
 * retry and redrive topics. Both loops of a queue share one {@link Dispatcher}, so the handler
 * never sees more than {@code concurrency} deliveries at once.
 */
final class KafkaConsumerHandle implements TransportConsumer {
  private static final Logger LOG = LoggerFactory.getLogger(KafkaConsumerHandle.class);

  private final String label;
  private final Dispatcher dispatcher;
  private final @Nullable GroupLoop groupLoop;
  private final @Nullable ShareLoop shareLoop;
  private final Consumer<KafkaConsumerHandle> onClosed;
  private final AtomicBoolean closed = new AtomicBoolean();

  KafkaConsumerHandle(
      String label,
      Dispatcher dispatcher,
      @Nullable GroupLoop groupLoop,
      @Nullable ShareLoop shareLoop,
      Consumer<KafkaConsumerHandle> onClosed) {
    this.label = label;
    this.dispatcher = dispatcher;
    this.groupLoop = groupLoop;
    this.shareLoop = shareLoop;
    this.onClosed = onClosed;
  }

  void start() {
    if (groupLoop != null) {
      groupLoop.start();
    }
    if (shareLoop != null) {
      shareLoop.start();
    }
  }

  @Nullable GroupLoop groupLoop() {
    return groupLoop;
  }

  @Nullable ShareLoop shareLoop() {
    return shareLoop;
  }

  @Override
  public void pause() {
    if (groupLoop != null) {
      groupLoop.pause();
    }
    if (shareLoop != null) {
      shareLoop.pause();
    }
  }

  @Override
  public void resume() {
    if (groupLoop != null) {
      groupLoop.resume();
    }
    if (shareLoop != null) {
      shareLoop.resume();
    }
  }

  @Override
  public void stopFetching() {
    if (groupLoop != null) {
      groupLoop.stopFetching();
    }
    if (shareLoop != null) {
      shareLoop.stopFetching();
    }
  }

  @Override
  public boolean failed() {
    return (groupLoop != null && groupLoop.failed()) || (shareLoop != null && shareLoop.failed());
  }

  @Override
  public void close(Duration timeout) {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    long start = System.nanoTime();
    long total = Math.max(1, timeout.toNanos());
    // Keep part of the budget for leaving the group, so the others take over at once.
    long reserve = Math.min(total / 2, TimeUnit.SECONDS.toNanos(3));
    long settleDeadline = start + total - reserve;
    long closeDeadline = start + total;
    if (groupLoop != null) {
      groupLoop.beginClose(settleDeadline, closeDeadline);
    }
    if (shareLoop != null) {
      shareLoop.beginClose(settleDeadline, closeDeadline);
    }
    try {
      Duration wait = Duration.ofNanos(total + TimeUnit.SECONDS.toNanos(1));
      boolean done = groupLoop == null || groupLoop.awaitClosed(wait);
      done &= shareLoop == null || shareLoop.awaitClosed(wait);
      if (!done) {
        LOG.warn(
            "Consumer {} did not stop within {}; its threads are left to finish", label, timeout);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      long left = Math.max(0, closeDeadline - System.nanoTime());
      dispatcher.shutdown(Duration.ofNanos(left));
      onClosed.accept(this);
    }
  }

  @Override
  public String toString() {
    return "KafkaConsumer{" + label + "}";
  }
}
