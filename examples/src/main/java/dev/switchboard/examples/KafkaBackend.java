package dev.switchboard.examples;

import dev.switchboard.kafka.KafkaTransport;
import dev.switchboard.messaging.spi.Transport;
import dev.switchboard.testkit.kafka.KafkaBroker;
import dev.switchboard.testkit.kafka.KafkaBrokerException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Kafka: a cluster at a given bootstrap address, or a single local broker that the testkit starts
 * in a JVM of its own and that is stopped (its data deleted) with the backend.
 */
final class KafkaBackend implements Backend {
  /** Partitions of the topics the demo creates: enough for two competing instances and more. */
  private static final int PARTITIONS = 4;

  private final String bootstrap;
  private final @Nullable KafkaBroker local;

  private KafkaBackend(String bootstrap, @Nullable KafkaBroker local) {
    this.bootstrap = bootstrap;
    this.local = local;
  }

  /**
   * Connects to {@code bootstrap}, or starts a local broker when it is null.
   *
   * @throws BackendUnavailableException if the cluster cannot be reached or the broker not started
   */
  static KafkaBackend open(@Nullable String bootstrap, PrintWriter out) {
    if (bootstrap != null) {
      Endpoints.HostPort first;
      try {
        first = Endpoints.parse(bootstrap.split(",")[0]);
      } catch (IllegalArgumentException e) {
        throw new BackendUnavailableException("invalid --bootstrap: " + e.getMessage());
      }
      Optional<String> problem = Endpoints.unreachable(first, Duration.ofSeconds(3));
      if (problem.isPresent()) {
        throw new BackendUnavailableException(
            "cannot reach Kafka at "
                + first
                + " ("
                + problem.get()
                + "): start a broker there, or leave out --bootstrap to start a local one");
      }
      return new KafkaBackend(bootstrap, null);
    }
    out.println("starting a local Kafka broker (testkit fixture, in a JVM of its own) ...");
    out.flush();
    long start = System.nanoTime();
    KafkaBroker broker = KafkaBroker.builder().build();
    try {
      broker.start();
    } catch (KafkaBrokerException | IllegalStateException e) {
      broker.close();
      throw new BackendUnavailableException(
          "could not start a local Kafka broker ("
              + firstLine(e.getMessage())
              + "): run `mvn -q -B install -DskipTests` first, or pass --bootstrap HOST:PORT",
          e);
    }
    out.printf(
        "local Kafka broker ready at %s after %.1f s%n",
        broker.bootstrapServers(), (System.nanoTime() - start) / 1e9);
    return new KafkaBackend(broker.bootstrapServers(), broker);
  }

  @Override
  public String description() {
    return "Kafka at " + bootstrap + (local != null ? " (local broker from the testkit)" : "");
  }

  @Override
  public Transport connect(String process) {
    return KafkaTransport.builder()
        .bootstrapServers(bootstrap)
        .clientId("demo-" + process)
        .partitions(PARTITIONS)
        .build();
  }

  @Override
  public Duration requestTimeout() {
    return Duration.ofSeconds(10);
  }

  @Override
  public Duration patience() {
    return Duration.ofSeconds(60);
  }

  @Override
  public void close() {
    if (local != null) {
      local.close();
    }
  }

  private static String firstLine(@Nullable String message) {
    if (message == null) {
      return "no reason given";
    }
    int newline = message.indexOf('\n');
    return newline < 0 ? message : message.substring(0, newline);
  }
}
