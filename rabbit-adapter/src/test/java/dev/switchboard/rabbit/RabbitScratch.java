package dev.switchboard.rabbit;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import dev.switchboard.messaging.spi.ConsumerSpec;
import dev.switchboard.messaging.spi.Destination;
import dev.switchboard.testkit.rabbit.RabbitBroker;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Per-test scratch space on a RabbitMQ broker: unique names, transports that are closed after the
 * test, and deletion of every exchange and queue the test's names map to.
 *
 * <p>The broker is the shared one ({@link RabbitBroker#requireAvailable()}: it fails under {@code
 * CI=true} and skips elsewhere when missing) unless a test points the scratch at another, such as a
 * private node.
 */
final class RabbitScratch implements BeforeEachCallback, AfterEachCallback {
  private final List<RabbitTransport> transports = new ArrayList<>();
  private final Set<String> queues = new LinkedHashSet<>();
  private final Set<String> exchanges = new LinkedHashSet<>();
  private final @Nullable Supplier<String> fixedUri;
  private String uri = "";
  private String suffix = "";

  /** Scratch space on the shared broker. */
  RabbitScratch() {
    this.fixedUri = null;
  }

  /** Scratch space on the broker whose URI {@code uri} gives when each test starts. */
  RabbitScratch(Supplier<String> uri) {
    this.fixedUri = uri;
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    uri = fixedUri != null ? fixedUri.get() : RabbitBroker.requireAvailable().uri();
    suffix = Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffffffL);
  }

  @Override
  public void afterEach(ExtensionContext context) throws Exception {
    for (RabbitTransport t : transports) {
      t.close(Duration.ofSeconds(5));
    }
    transports.clear();
    if (uri.isEmpty() || (queues.isEmpty() && exchanges.isEmpty())) {
      return;
    }
    ConnectionFactory f = RabbitBroker.at(uri).connectionFactory();
    f.setAutomaticRecoveryEnabled(false);
    try (Connection c = f.newConnection("switchboard-test-cleanup")) {
      for (String q : queues) {
        try (Channel ch = c.createChannel()) {
          ch.queueDelete(q);
        } catch (IOException | RuntimeException e) {
          // Already gone.
        }
      }
      for (String x : exchanges) {
        try (Channel ch = c.createChannel()) {
          ch.exchangeDelete(x);
        } catch (IOException | RuntimeException e) {
          // Already gone.
        }
      }
    }
    queues.clear();
    exchanges.clear();
  }

  String uri() {
    return uri;
  }

  /** A name unique to this test. */
  String name(String base) {
    return "sbtest-" + base + "-" + suffix;
  }

  Destination topic(String base) {
    Destination d = Destination.topic(name(base));
    exchanges.add(d.name());
    return d;
  }

  Destination queue(String base) {
    Destination d = Destination.queue(name(base));
    queues.add(d.name());
    queues.add(Topology.deadLetterQueue(d.name()));
    return d;
  }

  /** A spec whose queues (group, dead-letter and wait queues) are deleted after the test. */
  ConsumerSpec spec(
      Destination d, String group, int concurrency, int prefetch, Duration... delays) {
    group(d, group, List.of(delays));
    return new ConsumerSpec(d, group, concurrency, prefetch, List.of(delays));
  }

  /**
   * Records the queues of a group started through {@code Messaging} for deletion: its own, its
   * dead-letter queue and a wait queue per delay level of its retry policy.
   */
  void group(Destination d, String group, List<Duration> delays) {
    String q = Topology.groupQueue(d, group);
    queues.add(q);
    queues.add(Topology.deadLetterQueue(q));
    for (Duration delay : delays) {
      queues.add(Topology.waitQueue(q, Topology.delayMillis(delay)));
    }
  }

  /** Records a raw queue name for deletion. */
  void deleteLater(String queue) {
    queues.add(queue);
  }

  RabbitTransport transport() {
    return transport(UnaryOperator.identity());
  }

  RabbitTransport transport(UnaryOperator<RabbitTransport.Builder> settings) {
    RabbitTransport t =
        settings
            .apply(
                RabbitTransport.builder()
                    .uri(uri)
                    .connectionName("sbtest-" + suffix + "-" + transports.size()))
            .build();
    transports.add(t);
    return t;
  }
}
