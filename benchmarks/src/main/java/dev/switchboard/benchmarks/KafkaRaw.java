package dev.switchboard.benchmarks;

import dev.switchboard.messaging.spi.Destination;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.AcknowledgeType;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.KafkaShareConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The raw Kafka baseline: one producer with the transport's settings ({@code acks=all},
 * idempotence, the same {@code linger.ms} and {@code batch.size}), consumer-group members with the
 * same protocol, assignor, {@code max.poll.records} and commit interval, and share consumers that
 * acknowledge each record and commit synchronously per poll, as the transport does.
 */
final class KafkaRaw implements RawClient {
  static final int LINGER_MS = 5;
  static final int BATCH_BYTES = 16_384;
  static final Duration COMMIT_INTERVAL = Duration.ofMillis(100);
  private static final String CORRELATION = "corr";
  private static final String REPLY_TO = "reply";

  private final String bootstrap;
  private final KafkaProducer<byte[], byte[]> producer;
  private final Admin admin;
  private final AtomicLong ids = new AtomicLong();

  KafkaRaw(String bootstrap) {
    this.bootstrap = bootstrap;
    Map<String, Object> p = new HashMap<>();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.CLIENT_ID_CONFIG, "bench-raw-producer");
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    p.put(ProducerConfig.LINGER_MS_CONFIG, LINGER_MS);
    p.put(ProducerConfig.BATCH_SIZE_CONFIG, BATCH_BYTES);
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    this.producer = new KafkaProducer<>(p);
    this.admin = Admin.create(Map.of("bootstrap.servers", bootstrap));
  }

  void createTopic(String name) throws Exception {
    admin.createTopics(List.of(new NewTopic(name, Optional.of(1), Optional.empty()))).all().get();
  }

  @Override
  public void send(Destination destination, byte[] body, Window window) {
    send(new ProducerRecord<>(destination.name(), null, body), window);
  }

  @Override
  public void send(
      Destination destination, byte[] body, Map<String, String> headers, Window window) {
    ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(destination.name(), null, body);
    headers.forEach((k, v) -> record.headers().add(k, v.getBytes(StandardCharsets.UTF_8)));
    send(record, window);
  }

  private void send(ProducerRecord<byte[], byte[]> record, Window window) {
    producer.send(
        record,
        (metadata, error) -> {
          if (error == null) {
            window.complete();
          } else {
            window.fail();
          }
        });
  }

  @Override
  public AutoCloseable consume(
      Destination destination, String group, int prefetch, Received onMessage) throws Exception {
    if (destination.kind() == Destination.Kind.QUEUE) {
      return shareConsumer(
          destination.name(), group, prefetch, r -> onMessage.accept(r.value(), headers(r)));
    }
    KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(groupConfig(group, prefetch));
    consumer.subscribe(List.of(destination.name()));
    return loop(
        "bench-raw-group-" + group,
        consumer::wakeup,
        running -> {
          long nextCommit = System.nanoTime();
          try (consumer) {
            while (running.getAsBoolean()) {
              ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(100));
              for (ConsumerRecord<byte[], byte[]> r : records) {
                onMessage.accept(r.value(), headers(r));
              }
              if (System.nanoTime() >= nextCommit && !records.isEmpty()) {
                consumer.commitAsync();
                nextCommit = System.nanoTime() + COMMIT_INTERVAL.toNanos();
              }
            }
          } catch (WakeupException e) {
            // closing
          }
        });
  }

  private static Headers headers(ConsumerRecord<byte[], byte[]> r) {
    return name -> {
      Header h = r.headers().lastHeader(name);
      return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    };
  }

  /** A share consumer handing each record to {@code onRecord}, then accepting it. */
  private AutoCloseable shareConsumer(
      String topic, String group, int prefetch, Consumer<ConsumerRecord<byte[], byte[]>> onRecord)
      throws Exception {
    ConfigResource resource = new ConfigResource(ConfigResource.Type.GROUP, group);
    admin
        .incrementalAlterConfigs(
            Map.of(
                resource,
                List.of(
                    new AlterConfigOp(
                        new ConfigEntry("share.auto.offset.reset", "earliest"),
                        AlterConfigOp.OpType.SET))))
        .all()
        .get();
    Map<String, Object> c = base("bench-raw-share");
    // Share groups take their start position from the group config set above, and commit
    // acknowledgements, not offsets.
    c.remove(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG);
    c.remove(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG);
    c.put(ConsumerConfig.GROUP_ID_CONFIG, group);
    c.put(ConsumerConfig.SHARE_ACKNOWLEDGEMENT_MODE_CONFIG, "explicit");
    c.put(ConsumerConfig.SHARE_ACQUIRE_MODE_CONFIG, "record_limit");
    c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, prefetch);
    KafkaShareConsumer<byte[], byte[]> consumer = new KafkaShareConsumer<>(c);
    consumer.subscribe(List.of(topic));
    return loop(
        "bench-raw-share-" + group,
        consumer::wakeup,
        running -> {
          try (consumer) {
            while (running.getAsBoolean()) {
              ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(100));
              for (ConsumerRecord<byte[], byte[]> r : records) {
                onRecord.accept(r);
                consumer.acknowledge(r, AcknowledgeType.ACCEPT);
              }
              if (!records.isEmpty()) {
                consumer.commitSync(Duration.ofSeconds(30));
              }
            }
          } catch (WakeupException e) {
            // closing
          }
        });
  }

  @Override
  public AutoCloseable respond(String queue, int prefetch, UnaryOperator<byte[]> handler)
      throws Exception {
    return shareConsumer(
        queue,
        queue,
        prefetch,
        r -> {
          Header corr = r.headers().lastHeader(CORRELATION);
          Header replyTo = r.headers().lastHeader(REPLY_TO);
          if (corr == null || replyTo == null) {
            return;
          }
          ProducerRecord<byte[], byte[]> reply =
              new ProducerRecord<>(
                  new String(replyTo.value(), StandardCharsets.UTF_8),
                  null,
                  handler.apply(r.value()));
          reply.headers().add(CORRELATION, corr.value());
          producer.send(reply);
        });
  }

  @Override
  public Requester requester() throws Exception {
    String replyTopic = "bench-raw-replies-" + UUID.randomUUID().toString().substring(0, 8);
    createTopic(replyTopic);
    byte[] replyAddress = replyTopic.getBytes(StandardCharsets.UTF_8);
    Correlations pending = new Correlations();
    KafkaConsumer<byte[], byte[]> replies = new KafkaConsumer<>(base("bench-raw-replies"));
    TopicPartition partition = new TopicPartition(replyTopic, 0);
    replies.assign(List.of(partition));
    replies.seekToBeginning(List.of(partition));
    AutoCloseable loop =
        loop(
            "bench-raw-replies",
            replies::wakeup,
            running -> {
              try (replies) {
                while (running.getAsBoolean()) {
                  for (ConsumerRecord<byte[], byte[]> r : replies.poll(Duration.ofMillis(100))) {
                    Header corr = r.headers().lastHeader(CORRELATION);
                    pending.reply(
                        corr == null ? null : new String(corr.value(), StandardCharsets.UTF_8),
                        r.value());
                  }
                }
              } catch (WakeupException e) {
                // closing
              }
            });
    return new Requester() {
      @Override
      public void request(String queue, byte[] body, Consumer<byte[]> onReply) {
        pending.request(onReply, (id, failed) -> send(queue, body, id, failed));
      }

      @Override
      public CompletableFuture<byte[]> request(String queue, byte[] body, Duration timeout) {
        return pending.request(timeout, (id, failed) -> send(queue, body, id, failed));
      }

      private void send(String queue, byte[] body, String id, Consumer<Throwable> failed) {
        producer.send(
            requestRecord(queue, body, id),
            (metadata, error) -> {
              if (error != null) {
                failed.accept(error);
              }
            });
      }

      private ProducerRecord<byte[], byte[]> requestRecord(String queue, byte[] body, String id) {
        ProducerRecord<byte[], byte[]> r = new ProducerRecord<>(queue, null, body);
        r.headers().add(CORRELATION, id.getBytes(StandardCharsets.UTF_8));
        r.headers().add(REPLY_TO, replyAddress);
        return r;
      }

      @Override
      public void close() throws Exception {
        loop.close();
      }
    };
  }

  private Map<String, Object> base(String clientId) {
    Map<String, Object> c = new HashMap<>();
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    c.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId + "-" + ids.incrementAndGet());
    c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    return c;
  }

  private Map<String, Object> groupConfig(String group, int prefetch) {
    Map<String, Object> c = base("bench-raw-consumer");
    c.put(ConsumerConfig.GROUP_ID_CONFIG, group);
    c.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, "consumer");
    c.put(ConsumerConfig.GROUP_REMOTE_ASSIGNOR_CONFIG, "range");
    c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, prefetch);
    return c;
  }

  /** Runs {@code body} on a daemon thread until the returned handle is closed. */
  static AutoCloseable loop(
      String name, Runnable wakeup, Consumer<java.util.function.BooleanSupplier> body) {
    java.util.concurrent.atomic.AtomicBoolean running =
        new java.util.concurrent.atomic.AtomicBoolean(true);
    Thread t = new Thread(() -> body.accept(running::get), name);
    t.setDaemon(true);
    t.start();
    return () -> {
      running.set(false);
      wakeup.run();
      t.join(10_000);
    };
  }

  @Override
  public void close() {
    producer.close(Duration.ofSeconds(5));
    admin.close(Duration.ofSeconds(5));
  }
}
