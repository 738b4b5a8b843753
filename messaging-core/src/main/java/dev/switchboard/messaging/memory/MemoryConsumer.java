package dev.switchboard.messaging.memory;

import dev.switchboard.messaging.TransportException;
import dev.switchboard.messaging.spi.Delivery;
import dev.switchboard.messaging.spi.DeliveryHandler;
import dev.switchboard.messaging.spi.TransportConsumer;
import dev.switchboard.messaging.spi.WireHeaders;
import dev.switchboard.messaging.spi.WireMessage;
import dev.switchboard.messaging.time.Scheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One consumer of an in-memory group: {@code concurrency} worker threads, each taking a message,
 * calling the core's handler, and waiting for the delivery to be settled before taking the next.
 * Waiting is what makes a held message (an in-process retry) occupy a worker, as it occupies a
 * prefetch slot on a broker.
 *
 * <p>Closing gives every delivery still unsettled back to its group at once, as a broker takes back
 * the unacknowledged messages of a closed connection; a settlement that arrives later (from a
 * handler that was still running) is ignored.
 */
final class MemoryConsumer implements TransportConsumer {
  private static final Logger LOG = LoggerFactory.getLogger(MemoryConsumer.class);

  private final MemoryGroup group;
  private final DeliveryHandler handler;
  private final Scheduler scheduler;
  private final Consumer<MemoryConsumer> onClose;
  private final List<Thread> workers = new ArrayList<>();
  private final Set<MemoryDelivery> inHand = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile boolean paused;
  private volatile boolean stopped;

  MemoryConsumer(
      MemoryGroup group,
      DeliveryHandler handler,
      int concurrency,
      Scheduler scheduler,
      Consumer<MemoryConsumer> onClose) {
    this.group = group;
    this.handler = handler;
    this.scheduler = scheduler;
    this.onClose = onClose;
    for (int i = 0; i < concurrency; i++) {
      Thread t = new Thread(this::work, "switchboard-memory-" + group.describe() + "-" + i);
      t.setDaemon(true);
      workers.add(t);
    }
  }

  void start() {
    workers.forEach(Thread::start);
  }

  private void work() {
    while (!stopped) {
      MemoryGroup.Entry entry;
      try {
        entry = group.take(() -> !stopped && !paused);
      } catch (InterruptedException e) {
        return;
      }
      if (entry == null) {
        if (paused && !stopped) {
          waitWhilePaused();
        }
        continue;
      }
      MemoryDelivery delivery = new MemoryDelivery(entry);
      inHand.add(delivery);
      try {
        handler.onDelivery(delivery).toCompletableFuture().join();
      } catch (CompletionException | IllegalStateException e) {
        LOG.error("delivery on {} failed to settle; giving it back", group.describe(), e);
        delivery.release();
      } finally {
        inHand.remove(delivery);
      }
    }
  }

  private void waitWhilePaused() {
    synchronized (this) {
      while (paused && !stopped) {
        try {
          wait(200);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }

  @Override
  public void pause() {
    paused = true;
    group.wakeAll();
  }

  @Override
  public void resume() {
    paused = false;
    synchronized (this) {
      notifyAll();
    }
    group.wakeAll();
  }

  @Override
  public void stopFetching() {
    stopped = true;
    group.wakeAll();
    synchronized (this) {
      notifyAll();
    }
  }

  @Override
  public void close(Duration timeout) {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    stopFetching();
    for (MemoryDelivery delivery : inHand) {
      delivery.release();
    }
    // Everything unsettled is back in its group, so a handler still running can only finish into
    // an ignored settlement: wait briefly for idle workers to exit, never for a stuck handler.
    long deadline = System.nanoTime() + Math.min(timeout.toNanos(), 200_000_000L);
    for (Thread t : workers) {
      if (t == Thread.currentThread()) {
        continue;
      }
      long left = deadline - System.nanoTime();
      try {
        t.join(Math.max(1, left / 1_000_000));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    onClose.accept(this);
  }

  /** Whether a sender put toolkit headers into the header map itself, as a plain client would. */
  private static boolean carriesToolkitHeaders(Map<String, String> headers) {
    if (headers.isEmpty()) {
      return false; // the common case, checked without an iterator
    }
    for (String name : headers.keySet()) {
      if (WireHeaders.isStandard(name)) {
        return true;
      }
    }
    return false;
  }

  /** One handed-out entry; settles at most once, later calls are ignored. */
  private final class MemoryDelivery implements Delivery {
    private final MemoryGroup.Entry entry;
    private final AtomicBoolean settled = new AtomicBoolean();

    private final WireMessage message;
    private final List<String> problems;

    MemoryDelivery(MemoryGroup.Entry entry) {
      this.entry = entry;
      WireMessage m = entry.message;
      if (carriesToolkitHeaders(m.envelope().headers())) {
        // A sender put toolkit headers into the header map itself, as a plain client would on a
        // broker: read them the way a broker transport reads its wire headers.
        WireHeaders.Read read =
            WireHeaders.read(
                WireHeaders.toMap(m.envelope(), WireHeaders.Key.IN_HEADER),
                m.envelope().key().orElse(null),
                m.envelope().time());
        this.message = m.withEnvelope(read.envelope());
        this.problems = read.problems();
      } else {
        this.message = m;
        this.problems = List.of();
      }
    }

    @Override
    public WireMessage message() {
      return message;
    }

    @Override
    public List<String> problems() {
      return problems;
    }

    @Override
    public Object nativeRecord() {
      return entry.message;
    }

    @Override
    public int brokerDeliveryCount() {
      return entry.deliveries;
    }

    @Override
    public CompletionStage<Void> ack() {
      return settle(() -> group.done(entry));
    }

    @Override
    public CompletionStage<Void> release() {
      return settle(() -> group.giveBack(entry));
    }

    @Override
    public CompletionStage<Void> redeliver(WireMessage next, Duration delay) {
      return settle(
          () -> {
            scheduler.schedule(delay, () -> group.offer(next));
            group.done(entry);
          });
    }

    @Override
    public CompletionStage<Void> deadLetter(WireMessage deadLetter) {
      return settle(
          () -> {
            group.deadLetter(deadLetter);
            group.done(entry);
          });
    }

    /**
     * Runs the first settlement; a later one fails, as a broker refuses to settle a message it
     * already took back (for instance when the consumer closed under a running handler).
     */
    private CompletionStage<Void> settle(Runnable outcome) {
      if (!settled.compareAndSet(false, true)) {
        return CompletableFuture.failedFuture(
            new TransportException(
                "delivery on " + group.describe() + " was already settled or given back"));
      }
      outcome.run();
      return CompletableFuture.completedFuture(null);
    }
  }
}
