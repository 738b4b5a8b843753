package dev.switchboard.benchmarks;

import dev.switchboard.messaging.Messaging;
import dev.switchboard.messaging.RetryPolicy;
import dev.switchboard.messaging.Subscription;
import dev.switchboard.messaging.spi.Destination;
import dev.switchboard.rabbit.RabbitTransport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The RabbitMQ scenarios on the machine's broker at 127.0.0.1:5672. Every queue and exchange has a
 * name unique to this run ({@code sbbench-<run id>-...}) and is deleted at the end, including the
 * dead-letter and wait queues the transport declares for its groups.
 */
final class RabbitSuite extends BrokerSuite {
  @Override
  public String name() {
    return "rabbitmq";
  }

  @Override
  String adapterClass() {
    return "dev.switchboard.rabbit.RabbitTransport";
  }

  @Override
  java.util.List<String> families() {
    return java.util.List.of(
        "publish-confirms",
        "consume-manual-ack",
        "request-reply",
        RequestLatency.FAMILY,
        "latency");
  }

  @Override
  boolean shareQueues() {
    return false;
  }

  @Override
  BrokerEnv open() throws Exception {
    RabbitRaw raw;
    try {
      raw = new RabbitRaw();
    } catch (Exception e) {
      throw new Unreachable(
          "broker not reachable at " + RabbitRaw.HOST + ":" + RabbitRaw.PORT + " (" + e + ")", e);
    }
    return new Env(raw);
  }

  private static final class Env implements BrokerEnv {
    private static final int CONFIRM_WINDOW = 512;

    private final RabbitRaw raw;
    private final Messaging messaging;
    private final String run = UUID.randomUUID().toString().substring(0, 8);
    private final AtomicInteger names = new AtomicInteger();
    private final List<String> used = new ArrayList<>();

    Env(RabbitRaw raw) {
      this.raw = raw;
      RabbitTransport transport =
          RabbitTransport.builder()
              .host(RabbitRaw.HOST)
              .port(RabbitRaw.PORT)
              .confirmWindow(CONFIRM_WINDOW)
              .connectionName("switchboard-bench")
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
      return "rabbitmq";
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
    public synchronized Destination fresh(Destination.Kind kind, String what) {
      String name = "sbbench-" + run + "-" + what + "-" + names.incrementAndGet();
      used.add(name);
      return kind == Destination.Kind.TOPIC ? Destination.topic(name) : Destination.queue(name);
    }

    @Override
    public void prepareRaw(Destination destination) throws Exception {
      raw.declare(destination);
    }

    @Override
    public void prepareToolkit(Destination destination) throws Exception {
      if (destination.kind() == Destination.Kind.QUEUE) {
        messaging.transport().declare(destination);
        return;
      }
      // Subscribing once declares the group's queue and binds it; it then keeps what arrives.
      try (Subscription s =
          messaging.subscribe(
              destination.name(),
              BrokerScenarios.TOOLKIT_GROUP,
              Sample.class,
              (v, c) -> {
                throw new IllegalStateException("the set-up subscription handles nothing");
              })) {
        s.pause();
      }
    }

    @Override
    public void afterPublish(Destination destination) throws Exception {
      for (String q :
          List.of(
              RabbitRaw.rawQueue(destination),
              destination.name() + "." + BrokerScenarios.TOOLKIT_GROUP)) {
        try {
          raw.purge(q);
        } catch (java.io.IOException e) {
          // that side has no such queue
        }
      }
    }

    @Override
    public int publishWindow() {
      return CONFIRM_WINDOW;
    }

    @Override
    public int prefetch() {
      return 256;
    }

    @Override
    public int messages(Profile profile) {
      return Math.max(1, profile.brokerMessages() / 4);
    }

    /** The transport names wait queues after the delay rounded up to a whole millisecond. */
    private static long waitMillis(Duration delay) {
      return Math.max(1, delay.toMillis() + (delay.toNanosPart() % 1_000_000 > 0 ? 1 : 0));
    }

    @Override
    public void close() throws Exception {
      try {
        messaging.close();
      } finally {
        List<String> queues = new ArrayList<>();
        List<Duration> delays = RetryPolicy.defaults().redeliveryDelays();
        for (String name : used) {
          for (String group : List.of(name, name + "." + BrokerScenarios.TOOLKIT_GROUP)) {
            // Wait queues dead-letter into the group queue: delete them before it.
            for (Duration d : delays) {
              queues.add(group + ".wait." + waitMillis(d) + "ms");
            }
            queues.add(group + ".dlq");
            queues.add(group);
          }
          queues.add(RabbitRaw.rawQueue(Destination.topic(name)));
        }
        raw.delete(queues, used);
        raw.close();
      }
    }
  }
}
