package dev.switchboard.benchmarks;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * The requests of one raw requester that wait for their replies, by correlation id: what a
 * hand-written correlation-id client keeps, shared by the Kafka and RabbitMQ baselines.
 * Thread-safe.
 */
final class Correlations {
  /** Sends one request under {@code id}; reports a failure it learns of later to {@code failed}. */
  @FunctionalInterface
  interface Send {
    void send(String id, Consumer<Throwable> failed) throws Exception;
  }

  private final AtomicLong ids = new AtomicLong();
  private final Map<String, Consumer<byte[]>> pending = new ConcurrentHashMap<>();

  /** Sends a request whose reply goes to {@code onReply}; a failed send is forgotten. */
  void request(Consumer<byte[]> onReply, Send send) {
    String id = Long.toString(ids.incrementAndGet());
    pending.put(id, onReply);
    try {
      send.send(id, error -> pending.remove(id));
    } catch (Exception e) {
      pending.remove(id);
    }
  }

  /**
   * Sends a request and returns its reply, which fails with a {@code TimeoutException} when none
   * came within {@code timeout}, or with the send's error.
   */
  CompletableFuture<byte[]> request(Duration timeout, Send send) {
    String id = Long.toString(ids.incrementAndGet());
    CompletableFuture<byte[]> reply = new CompletableFuture<>();
    pending.put(id, reply::complete);
    reply
        .orTimeout(timeout.toNanos(), TimeUnit.NANOSECONDS)
        .whenComplete((bytes, error) -> pending.remove(id));
    try {
      send.send(id, reply::completeExceptionally);
    } catch (Exception e) {
      reply.completeExceptionally(e);
    }
    return reply;
  }

  /** Hands a reply to the request waiting under {@code id}, if one still is. */
  void reply(@Nullable String id, byte[] body) {
    Consumer<byte[]> waiting = id == null ? null : pending.remove(id);
    if (waiting != null) {
      waiting.accept(body);
    }
  }
}
