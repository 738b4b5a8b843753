package dev.switchboard.benchmarks;

import dev.switchboard.kafka.KafkaTransport;
import dev.switchboard.messaging.Messaging;
import dev.switchboard.messaging.spi.Destination;
import dev.switchboard.testkit.kafka.KafkaBroker;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The Kafka scenarios on a private single-node Kafka broker started through the testkit fixture (a
 * child JVM on loopback ports, deleted afterwards). Topics have one partition; the producer
 * settings of both sides are pinned here and in {@link KafkaRaw}.
 */
final class KafkaSuite extends BrokerSuite {
  @Override
  public String name() {
    return "kafka";
  }

  @Override
  String adapterClass() {
    return "dev.switchboard.kafka.KafkaTransport";
  }

  @Override
  java.util.List<String> families() {
    return java.util.List.of(
        "publish",
        "consume-group",
        "consume-share",
        "request-reply",
        RequestLatency.FAMILY,
        "latency");
  }

  @Override
  boolean shareQueues() {
    return true;
  }

  @Override
  BrokerEnv open() throws Exception {
    KafkaBroker broker;
    try {
      broker = KafkaBroker.builder().build().start();
    } catch (RuntimeException e) {
      throw new Unreachable("Kafka broker did not start: " + e.getMessage(), e);
    }
    return new Env(broker);
  }

  private static final class Env implements BrokerEnv {
    private final KafkaBroker broker;
    private final KafkaRaw raw;
    private final Messaging messaging;
    private final Set<String> created = new HashSet<>();
    private final AtomicInteger names = new AtomicInteger();

    Env(KafkaBroker broker) {
      this.broker = broker;
      this.raw = new KafkaRaw(broker.bootstrapServers());
      KafkaTransport transport =
          KafkaTransport.builder()
              .bootstrapServers(broker.bootstrapServers())
              .clientId("bench")
              .linger(Duration.ofMillis(KafkaRaw.LINGER_MS))
              .batchSize(KafkaRaw.BATCH_BYTES)
              .commitInterval(KafkaRaw.COMMIT_INTERVAL)
              .build();
      this.messaging =
          Messaging.builder()
              .transport(transport)
              .register(Sample.TYPE, Sample.class)
              .source("benchmarks")
              .build();
    }

    @Override
    public String name() {
      return "kafka";
    }

    @Override
    public Messaging messaging() {
      return messaging;
    }

    @Override
    public RawClient raw() {
      return raw;
    }

    @Override
    public Destination fresh(Destination.Kind kind, String what) {
      String name = "sbbench-" + what + "-" + names.incrementAndGet();
      return kind == Destination.Kind.TOPIC ? Destination.topic(name) : Destination.queue(name);
    }

    @Override
    public void prepareRaw(Destination destination) throws Exception {
      create(destination);
    }

    @Override
    public void prepareToolkit(Destination destination) throws Exception {
      create(destination);
    }

    private void create(Destination destination) throws Exception {
      if (created.add(destination.name())) {
        raw.createTopic(destination.name());
      }
    }

    @Override
    public void afterPublish(Destination destination) {}

    @Override
    public int publishWindow() {
      return 10_000;
    }

    @Override
    public int prefetch() {
      return 256;
    }

    @Override
    public int messages(Profile profile) {
      return profile.brokerMessages();
    }

    @Override
    public void close() {
      try {
        messaging.close();
        raw.close();
      } finally {
        broker.close();
      }
    }
  }
}
