package dev.switchboard.kafka;

import dev.switchboard.messaging.DestinationNotFoundException;
import dev.switchboard.messaging.MessagingException;
import dev.switchboard.messaging.PayloadTooLargeException;
import dev.switchboard.messaging.PublishException;
import dev.switchboard.messaging.spi.WireMessage;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The transport's one idempotent producer, with acks from all in-sync replicas.
 *
 * <p>Design: a send to a topic the transport has not seen yet waits, in a per-topic queue, for the
 * admin client to create or find the topic; sends that arrive meanwhile join the queue, so per-key
 * publish order holds. Once a topic is known, {@link KafkaProducer#send} is called on the caller's
 * thread (it blocks only when the producer's buffer is full or metadata is missing, up to {@code
 * max.block.ms}). Futures complete on the transport's completion thread, in acknowledgement order,
 * never on the producer's network thread. Failures are mapped to typed exceptions: a missing topic
 * to {@link DestinationNotFoundException}, an oversized record to {@link PayloadTooLargeException},
 * a rejected login or TLS handshake to {@link KafkaAuthenticationException}, everything else
 * (including a broker down past {@code delivery.timeout.ms}) to {@link PublishException}.
 */
final class Publisher implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Publisher.class);

  private final KafkaProducer<byte[], byte[]> producer;
  private final TopicAdmin admin;
  private final KafkaSettings settings;
  private final Executor callbacks;
  private final ConcurrentHashMap<String, Gate> gates = new ConcurrentHashMap<>();
  private volatile boolean closed;

  Publisher(KafkaSettings settings, TopicAdmin admin, Executor callbacks) {
    this.settings = settings;
    this.admin = admin;
    this.callbacks = callbacks;
    this.producer = new KafkaProducer<>(settings.producerConfig());
  }

  /** Publishes to a topic that may not exist yet, creating or checking it first. */
  CompletableFuture<Void> send(String topic, WireMessage message) {
    return send(RecordCodec.toRecord(topic, message, Map.of(), null));
  }

  /** Publishes a prepared record, creating or checking its topic first. */
  CompletableFuture<Void> send(ProducerRecord<byte[], byte[]> record) {
    CompletableFuture<Void> result = new CompletableFuture<>();
    if (closed) {
      result.completeExceptionally(new PublishException("the Kafka transport is closed"));
      return result;
    }
    Gate gate = gates.computeIfAbsent(record.topic(), Gate::new);
    if (gate.admit(record, result)) {
      produce(record, result);
    }
    return result;
  }

  /** Flushes what is buffered, waiting at most {@code timeout}. */
  void flush(Duration timeout) {
    CompletableFuture<Void> f = new CompletableFuture<>();
    Threads.factory("sb-kafka-" + settings.clientId() + "-flush")
        .newThread(
            () -> {
              producer.flush();
              f.complete(null);
            })
        .start();
    try {
      f.get(Math.max(1, timeout.toMillis()), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      LOG.warn("Kafka producer did not flush within {}; unsent messages fail", timeout, e);
    }
  }

  /** Closes the producer; sends not acknowledged within {@code timeout} fail. */
  void close(Duration timeout) {
    closed = true;
    producer.close(timeout);
  }

  @Override
  public void close() {
    close(settings.operationTimeout());
  }

  private void produce(ProducerRecord<byte[], byte[]> record, CompletableFuture<Void> result) {
    try {
      producer.send(
          record,
          (metadata, error) -> {
            Throwable mapped = error == null ? null : failure(record, error);
            callbacks.execute(
                () -> {
                  if (mapped == null) {
                    result.complete(null);
                  } else {
                    result.completeExceptionally(mapped);
                  }
                });
          });
    } catch (KafkaException | IllegalStateException e) {
      result.completeExceptionally(failure(record, e));
    }
  }

  private MessagingException failure(ProducerRecord<byte[], byte[]> record, Throwable error) {
    String topic = record.topic();
    if (KafkaAuthenticationException.isAuthenticationFailure(error)) {
      return KafkaAuthenticationException.of(settings, error);
    }
    if (error instanceof RecordTooLargeException) {
      int size = RecordCodec.approximateSize(record);
      if (size < settings.maxRequestSize()) {
        // Under the client's limit, so the broker refused it by the topic's (or its own) limit.
        return new PayloadTooLargeException(
            topic,
            size,
            "the topic's max.message.bytes (or the broker's message.max.bytes)",
            error);
      }
      return new PayloadTooLargeException(topic, size, settings.maxRequestSize());
    }
    if (error instanceof UnknownTopicOrPartitionException
        || (error instanceof TimeoutException
            && String.valueOf(error.getMessage()).contains("not present in metadata"))) {
      gates.remove(topic);
      return new DestinationNotFoundException(
          topic, "Kafka topic '" + topic + "' does not exist (any more)", error);
    }
    if (error instanceof TimeoutException) {
      return new PublishException(
          "Kafka did not acknowledge a message to '"
              + topic
              + "' within delivery timeout "
              + settings.deliveryTimeout()
              + "; is the broker reachable?",
          error);
    }
    if (closed) {
      return new PublishException("the Kafka transport closed before '" + topic + "' acked", error);
    }
    return new PublishException("Kafka refused a message to '" + topic + "': " + error, error);
  }

  /**
   * Holds sends to one topic until the topic is known to exist. Once open, a gate admits every send
   * at once.
   */
  private final class Gate {
    private final String topic;
    private final ArrayDeque<Pending> waiting = new ArrayDeque<>();
    private boolean open;
    private boolean checking;

    Gate(String topic) {
      this.topic = topic;
    }

    /** True if the caller may produce now; otherwise the send is queued. */
    synchronized boolean admit(ProducerRecord<byte[], byte[]> record, CompletableFuture<Void> f) {
      if (open) {
        return true;
      }
      waiting.add(new Pending(record, f));
      if (!checking) {
        checking = true;
        admin.ensureAsync(topic).whenCompleteAsync((v, e) -> settle(e), callbacks);
      }
      return false;
    }

    private void settle(@Nullable Throwable error) {
      if (error != null) {
        List<Pending> failed;
        synchronized (this) {
          failed = new ArrayList<>(waiting);
          waiting.clear();
          checking = false;
        }
        gates.remove(topic, this);
        Throwable cause = TopicAdmin.unwrap(error);
        Throwable mapped;
        if (cause instanceof MessagingException) {
          mapped = cause;
        } else if (KafkaAuthenticationException.isAuthenticationFailure(cause)) {
          mapped = KafkaAuthenticationException.of(settings, cause);
        } else {
          mapped = new PublishException("could not prepare Kafka topic '" + topic + "'", cause);
        }
        failed.forEach(p -> p.future.completeExceptionally(mapped));
        return;
      }
      while (true) {
        List<Pending> batch;
        synchronized (this) {
          if (waiting.isEmpty()) {
            open = true;
            checking = false;
            return;
          }
          batch = new ArrayList<>(waiting);
          waiting.clear();
        }
        batch.forEach(p -> produce(p.record, p.future));
      }
    }
  }

  private record Pending(ProducerRecord<byte[], byte[]> record, CompletableFuture<Void> future) {}
}
