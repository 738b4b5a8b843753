package dev.switchboard.kafka.ledger;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;

/**
 * Makes one dead-letter topic refuse every record for a while, on the broker itself. Used by the
 * ledger test and by adapter tests of a dead-letter outage.
 *
 * <p>{@link #begin()} sets the topic's {@code max.message.bytes} to 1 byte, below any record batch
 * (a batch's header alone is 61 bytes), so the broker answers every produce request for the topic
 * with {@code MESSAGE_TOO_LARGE}; the producer does not retry that error and fails the send with
 * {@code RecordTooLargeException}. The producer's own limit ({@code max.request.size}) is not
 * touched, so every refusal comes from the broker. {@link #end()} deletes the topic-level value, so
 * the broker default applies again. Records already in the topic stay, and reading is not limited
 * by this setting. Both methods return once the broker reports the new value.
 */
public final class DeadLetterTopicOutage implements AutoCloseable {
  private static final String REFUSING = "1";
  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  private final Admin admin;
  private final ConfigResource topic;

  public DeadLetterTopicOutage(String bootstrapServers, String topic) {
    this.admin =
        Admin.create(
            Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrapServers,
                AdminClientConfig.CLIENT_ID_CONFIG,
                "ledger-dead-letter-outage"));
    this.topic = new ConfigResource(ConfigResource.Type.TOPIC, topic);
  }

  /** Lowers the topic's {@code max.message.bytes} below any record; returns once it is in force. */
  public void begin() {
    alter(
        new AlterConfigOp(
            new ConfigEntry(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, REFUSING),
            AlterConfigOp.OpType.SET));
    await("max.message.bytes of " + topic.name() + " lowered")
        .atMost(TIMEOUT)
        .until(() -> REFUSING.equals(limit().value()));
  }

  /** Removes the topic's own {@code max.message.bytes}; returns once the default is in force. */
  public void end() {
    alter(
        new AlterConfigOp(
            new ConfigEntry(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, ""),
            AlterConfigOp.OpType.DELETE));
    await("max.message.bytes of " + topic.name() + " restored")
        .atMost(TIMEOUT)
        .until(() -> limit().source() != ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG);
  }

  @Override
  public void close() {
    admin.close(TIMEOUT);
  }

  private void alter(AlterConfigOp op) {
    get(admin.incrementalAlterConfigs(Map.of(topic, List.of(op))).all(), "alter");
  }

  private ConfigEntry limit() {
    return get(admin.describeConfigs(List.of(topic)).all(), "describe")
        .get(topic)
        .get(TopicConfig.MAX_MESSAGE_BYTES_CONFIG);
  }

  private <T> T get(KafkaFuture<T> future, String what) {
    try {
      return future.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while asking the broker to " + what, e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException(
          "could not " + what + " the configuration of topic " + topic.name(), e);
    }
  }
}
