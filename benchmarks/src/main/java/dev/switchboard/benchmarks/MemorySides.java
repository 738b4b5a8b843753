package dev.switchboard.benchmarks;

import dev.switchboard.messaging.ConsumerOptions;
import dev.switchboard.messaging.Messaging;
import dev.switchboard.messaging.RetryPolicy;
import dev.switchboard.messaging.Subscription;
import dev.switchboard.messaging.memory.InMemoryTransport;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;

/**
 * The in-memory pub-sub contenders. Each has exactly two busy threads: the caller's thread, which
 * publishes, and one consumer thread.
 */
final class MemorySides {
  private MemorySides() {}

  /**
   * The toolkit on {@link InMemoryTransport}: one topic, one group, concurrency 1. The payload is
   * the {@link Sample} (JSON) or its encoded bytes (the bytes codec, no JSON at all).
   */
  static final class Toolkit implements Side {
    private final String label;
    private final Object payload;
    private final Window window;
    private final Messaging messaging;
    private final Subscription subscription;

    @SuppressWarnings({"unchecked", "rawtypes"})
    Toolkit(String label, Object payload, RetryPolicy retry, int windowSize) {
      this.label = label;
      this.payload = payload;
      this.window = new Window(windowSize);
      this.messaging =
          Messaging.builder()
              .transport(InMemoryTransport.create())
              .register(Sample.TYPE, Sample.class)
              .source("benchmarks")
              .build();
      this.subscription =
          messaging.subscribe(
              "bench-memory",
              "bench",
              (Class) payload.getClass(),
              (value, context) -> window.complete(),
              ConsumerOptions.builder().concurrency(1).retry(retry).build());
    }

    @Override
    public String label() {
      return label;
    }

    @Override
    public Map<String, Double> run(Budget budget) {
      int n = budget.messages();
      window.reset(n);
      long start = System.nanoTime();
      long deadline = budget.deadlineNanos(start);
      for (int i = 0; i < n; i++) {
        if (!window.awaitRoom(i, deadline)) {
          break;
        }
        CompletableFuture<?> sent = messaging.publish("bench-memory", payload);
        if (sent.isCompletedExceptionally()) {
          window.fail();
        }
      }
      window.awaitAll(deadline);
      return Throughput.of(window, start, System.nanoTime());
    }

    @Override
    public void close() {
      subscription.close();
      messaging.close();
    }
  }

  /**
   * A hand-written hand-off between the same two threads through an {@link ArrayBlockingQueue}: B0
   * moves pre-encoded bytes, B1 encodes and decodes with the same Jackson writer and reader.
   */
  static final class Queue implements Side {
    private static final byte[] STOP = new byte[0];

    private final boolean json;
    private final String label;
    private final Sample sample;
    private final byte[] bytes;
    private final Window window;
    private final BlockingQueue<byte[]> queue;
    private final Thread consumer;
    private long seqSeen;

    Queue(boolean json, String label, Sample sample, int windowSize) {
      this.json = json;
      this.label = label;
      this.sample = sample;
      this.bytes = Json.write(sample);
      this.window = new Window(windowSize);
      this.queue = new ArrayBlockingQueue<>(windowSize + 1);
      this.consumer = new Thread(this::consume, "bench-queue-consumer");
      consumer.setDaemon(true);
      consumer.start();
    }

    private void consume() {
      try {
        while (true) {
          byte[] body = queue.take();
          if (body == STOP) {
            return;
          }
          if (json) {
            seqSeen += Json.read(body).seq();
          }
          window.complete();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    @Override
    public String label() {
      return label;
    }

    @Override
    public Map<String, Double> run(Budget budget) throws InterruptedException {
      int n = budget.messages();
      window.reset(n);
      long start = System.nanoTime();
      long deadline = budget.deadlineNanos(start);
      for (int i = 0; i < n; i++) {
        if (!window.awaitRoom(i, deadline)) {
          break;
        }
        queue.put(json ? Json.write(sample) : bytes);
      }
      window.awaitAll(deadline);
      return Throughput.of(window, start, System.nanoTime());
    }

    @Override
    public void close() throws InterruptedException {
      queue.put(STOP);
      consumer.join(5_000);
    }
  }
}
