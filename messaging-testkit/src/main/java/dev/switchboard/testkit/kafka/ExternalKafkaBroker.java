package dev.switchboard.testkit.kafka;

import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A cluster run by someone else: started means reachable, and its lifecycle is not ours. */
final class ExternalKafkaBroker implements KafkaBroker {
  private static final Logger LOG = LoggerFactory.getLogger(ExternalKafkaBroker.class);
  private static final int REACHABILITY_TIMEOUT_MS = 15_000;

  private final String bootstrapServers;
  private boolean started;

  ExternalKafkaBroker(String bootstrapServers) {
    Objects.requireNonNull(bootstrapServers, "bootstrapServers");
    if (bootstrapServers.isBlank()) {
      throw new IllegalArgumentException("bootstrapServers must not be blank");
    }
    this.bootstrapServers = bootstrapServers.strip();
  }

  @Override
  public synchronized KafkaBroker start() {
    if (started) {
      return this;
    }
    Properties config = new Properties();
    config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    config.put(AdminClientConfig.CLIENT_ID_CONFIG, "switchboard-testkit-reachability");
    config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
    config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, REACHABILITY_TIMEOUT_MS);
    try (Admin admin = Admin.create(config)) {
      int nodes =
          admin
              .describeCluster(new DescribeClusterOptions().timeoutMs(REACHABILITY_TIMEOUT_MS))
              .nodes()
              .get(REACHABILITY_TIMEOUT_MS, TimeUnit.MILLISECONDS)
              .size();
      LOG.info("Using the external Kafka cluster at {} ({} nodes)", bootstrapServers, nodes);
    } catch (ExecutionException | TimeoutException e) {
      throw new KafkaBrokerException(
          "the external Kafka cluster at "
              + bootstrapServers
              + " did not answer describeCluster within "
              + REACHABILITY_TIMEOUT_MS
              + " ms; check that it runs, or unset "
              + BOOTSTRAP_ENV
              + " to use a local broker",
          e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new KafkaBrokerException("interrupted while reaching " + bootstrapServers, e);
    }
    started = true;
    return this;
  }

  @Override
  public void stop() {
    throw unsupported("stopped");
  }

  @Override
  public void kill() {
    throw unsupported("killed");
  }

  @Override
  public KafkaBroker restart() {
    throw unsupported("restarted");
  }

  @Override
  public synchronized boolean isRunning() {
    return started;
  }

  @Override
  public String bootstrapServers() {
    return bootstrapServers;
  }

  @Override
  public void close() {
    // Nothing here belongs to this handle.
  }

  @Override
  public String toString() {
    return "KafkaBroker[external " + bootstrapServers + "]";
  }

  private UnsupportedOperationException unsupported(String what) {
    return new UnsupportedOperationException(
        "the external Kafka cluster at "
            + bootstrapServers
            + " cannot be "
            + what
            + " by the testkit; tests that need this should build a private broker with"
            + " KafkaBroker.builder()");
  }
}
