package dev.switchboard.kafka;

import dev.switchboard.messaging.TransportException;
import dev.switchboard.messaging.spi.ReplyEndpoint;
import dev.switchboard.messaging.spi.ReplyHandler;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A reply topic owned by one transport instance: {@code sb.reply.<uuid>}, one partition, created
 * when opened and deleted when closed. It is read by a consumer outside any group that assigns the
 * partition itself, so no rebalance can delay or steal a reply, and no other instance reads it.
 * Before {@link #open} returns, the consumer is positioned at the end of the partition (the
 * position is resolved, not just requested), so a reply sent after that is never skipped.
 *
 * <p>One thread polls and calls the handler for each reply, in arrival order.
 */
final class KafkaReplyEndpoint implements ReplyEndpoint {
  private static final Logger LOG = LoggerFactory.getLogger(KafkaReplyEndpoint.class);

  private final String topic;
  private final KafkaConsumer<byte[], byte[]> consumer;
  private final ReplyHandler handler;
  private final KafkaSettings settings;
  private final TopicAdmin admin;
  private final Consumer<KafkaReplyEndpoint> onClosed;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final CountDownLatch stopped = new CountDownLatch(1);
  private volatile boolean running = true;

  private KafkaReplyEndpoint(
      String topic,
      KafkaConsumer<byte[], byte[]> consumer,
      ReplyHandler handler,
      KafkaSettings settings,
      TopicAdmin admin,
      Consumer<KafkaReplyEndpoint> onClosed) {
    this.topic = topic;
    this.consumer = consumer;
    this.handler = handler;
    this.settings = settings;
    this.admin = admin;
    this.onClosed = onClosed;
  }

  static KafkaReplyEndpoint open(
      KafkaSettings settings,
      TopicAdmin admin,
      ReplyHandler handler,
      Consumer<KafkaReplyEndpoint> onClosed) {
    String topic = admin.createReplyTopic();
    KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(settings.assignedConsumerConfig("reply"));
    try {
      TopicPartition tp = new TopicPartition(topic, 0);
      consumer.assign(List.of(tp));
      consumer.seekToEnd(List.of(tp));
      long position = consumer.position(tp, settings.operationTimeout());
      LOG.debug("Reply topic {} is ready at offset {}", topic, position);
    } catch (KafkaException e) {
      consumer.close(CloseOptions.timeout(Duration.ZERO));
      admin.deleteTopic(topic, settings.operationTimeout());
      throw new TransportException("could not open Kafka reply topic " + topic, e);
    }
    KafkaReplyEndpoint endpoint =
        new KafkaReplyEndpoint(topic, consumer, handler, settings, admin, onClosed);
    Threads.factory("sb-kafka-" + topic + "-poll").newThread(endpoint::run).start();
    LOG.info("Opened reply endpoint on Kafka topic {}", topic);
    return endpoint;
  }

  @Override
  public String address() {
    return topic;
  }

  private void run() {
    try {
      while (running) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(settings.pollTimeout())) {
          deliver(r);
        }
      }
    } catch (KafkaException e) {
      if (running) {
        LOG.error("Reply endpoint {} stopped; requests waiting on it will time out", topic, e);
      }
    } finally {
      try {
        consumer.close(CloseOptions.timeout(Duration.ofSeconds(1)));
      } catch (RuntimeException e) {
        LOG.debug("Reply consumer of {} did not close cleanly", topic, e);
      }
      stopped.countDown();
    }
  }

  private void deliver(ConsumerRecord<byte[], byte[]> r) {
    RecordCodec.Decoded d = RecordCodec.decode(r);
    if (!d.problems().isEmpty()) {
      LOG.warn(
          "Reply on {} at offset {} has unreadable headers: {}", topic, r.offset(), d.problems());
    }
    try {
      handler.onReply(d.message());
    } catch (RuntimeException e) {
      LOG.warn(
          "Reply handler for {} threw, which it must never do; the reply is dropped", topic, e);
    }
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    running = false;
    try {
      if (!stopped.await(settings.pollTimeout().toMillis() + 5_000, TimeUnit.MILLISECONDS)) {
        LOG.warn("Reply endpoint {} did not stop in time", topic);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    admin.deleteTopic(topic, settings.operationTimeout());
    onClosed.accept(this);
    LOG.info("Closed reply endpoint {}", topic);
  }
}
