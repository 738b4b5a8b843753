package dev.switchboard.benchmarks;

import dev.switchboard.messaging.spi.Destination;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * A broker's plain client, configured exactly like the toolkit's transport on the same broker
 * (acknowledgements, confirm window, prefetch, batching, linger), doing only what the baselines
 * need. Callbacks run on the client's own threads.
 */
interface RawClient extends AutoCloseable {
  /** Publishes {@code body}; completes {@code window} when the broker confirmed it. */
  void send(Destination destination, byte[] body, Window window);

  /**
   * Publishes {@code body} with {@code headers} (UTF-8 values) the way the toolkit's transport
   * carries them, so that a B1 side sends the same bytes as the toolkit.
   */
  void send(Destination destination, byte[] body, Map<String, String> headers, Window window);

  /**
   * Starts one consumer of {@code destination} in {@code group} (a consumer group for a Kafka
   * topic, a share group for a Kafka queue, the queue itself on RabbitMQ) that hands every body to
   * {@code onMessage} and then acknowledges it the way the toolkit does.
   */
  AutoCloseable consume(Destination destination, String group, int prefetch, Received onMessage)
      throws Exception;

  /** What a raw consumer hands on: the body, and its headers to read on demand. */
  @FunctionalInterface
  interface Received {
    void accept(byte[] body, Headers headers);
  }

  /** A message's headers, each value decoded from UTF-8 when asked for; null when absent. */
  @FunctionalInterface
  interface Headers {
    @org.jspecify.annotations.Nullable
    String get(String name);
  }

  /** Answers requests on {@code queue} with {@code handler}'s bytes, correlated by id. */
  AutoCloseable respond(String queue, int prefetch, UnaryOperator<byte[]> handler) throws Exception;

  /** A requester with its own reply address. */
  Requester requester() throws Exception;

  /** Sends requests and routes replies back by correlation id. */
  interface Requester extends AutoCloseable {
    /**
     * Sends a request and hands its reply to {@code onReply} on the client's reply thread. There is
     * no timeout: a reply that never comes is never reported, so callers bound their own wait.
     */
    void request(String queue, byte[] body, Consumer<byte[]> onReply);

    /**
     * Sends a request without waiting and returns its reply. The future completes on the client's
     * reply thread; it fails with {@link java.util.concurrent.TimeoutException} when no reply came
     * within {@code timeout} of this call, and with the client's error when the request could not
     * be sent. Either way the correlation entry is removed, so a reply that comes later is dropped.
     */
    CompletableFuture<byte[]> request(String queue, byte[] body, Duration timeout);
  }
}
