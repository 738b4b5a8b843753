package dev.switchboard.kafka;

import dev.switchboard.messaging.ConfigurationException;
import dev.switchboard.messaging.DestinationNotFoundException;
import dev.switchboard.messaging.TransportException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The transport's use of the Kafka admin client: making sure topics exist (or reporting that they
 * do not), reply topics, share group configuration, and the offsets of the group that tracks what
 * was moved out of a dead-letter topic. Thread-safe.
 */
final class TopicAdmin implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(TopicAdmin.class);

  /** Group config: where a share group starts reading a partition it has never read. */
  static final String SHARE_AUTO_OFFSET_RESET = "share.auto.offset.reset";

  /** Group config: deliveries after which the broker archives a record instead of redelivering. */
  static final String SHARE_DELIVERY_COUNT_LIMIT = "share.delivery.count.limit";

  /** Group config: how long a share consumer holds a record before the broker takes it back. */
  static final String SHARE_RECORD_LOCK_DURATION = "share.record.lock.duration.ms";

  private final Admin admin;
  private final KafkaSettings settings;
  private final Set<String> known = ConcurrentHashMap.newKeySet();

  /** Limits the broker applies to one share group. */
  record ShareLimits(int deliveryCountLimit, long lockDurationMs) {}

  TopicAdmin(KafkaSettings settings) {
    this.settings = settings;
    this.admin = Admin.create(settings.adminConfig());
  }

  /**
   * Completes when {@code topic} exists: created if the transport may create topics, else checked.
   * Fails with {@link DestinationNotFoundException} when it is missing and may not be created.
   */
  CompletableFuture<Void> ensureAsync(String topic) {
    if (known.contains(topic)) {
      return CompletableFuture.completedFuture(null);
    }
    // Reply topics belong to their endpoint: a reply to a closed endpoint must not recreate it.
    if (settings.topicCreation() != TopicCreation.AUTO
        || topic.startsWith(TopicNames.REPLY_PREFIX)) {
      return existsAsync(topic);
    }
    return create(newTopic(topic, settings.partitions())).thenRun(() -> known.add(topic));
  }

  /**
   * Completes when {@code topic} exists, never creating it; fails with {@link
   * DestinationNotFoundException} when it is missing. Replies use it: an address that leads nowhere
   * must fail, not create a topic nobody reads.
   */
  CompletableFuture<Void> existsAsync(String topic) {
    if (known.contains(topic)) {
      return CompletableFuture.completedFuture(null);
    }
    CompletableFuture<Void> done =
        toFuture(admin.describeTopics(List.of(topic)).allTopicNames())
            .handle(
                (v, e) -> {
                  if (e == null) {
                    return null;
                  }
                  Throwable cause = unwrap(e);
                  if (cause instanceof UnknownTopicOrPartitionException) {
                    throw new DestinationNotFoundException(topic, missingMessage(topic), cause);
                  }
                  throw new CompletionException(cause);
                });
    return done.thenRun(() -> known.add(topic));
  }

  private String missingMessage(String topic) {
    if (topic.startsWith(TopicNames.REPLY_PREFIX)) {
      return "Kafka reply topic '" + topic + "' does not exist; its endpoint was closed";
    }
    return "Kafka topic '"
        + topic
        + "' does not exist and topic creation is NONE; create it, or build the transport with"
        + " topicCreation(TopicCreation.AUTO)";
  }

  /** Makes sure every topic exists, waiting at most the operation timeout. */
  void ensureAll(Collection<String> topics) {
    List<CompletableFuture<Void>> all = new ArrayList<>();
    for (String t : topics) {
      all.add(ensureAsync(t));
    }
    await(
        CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)), "prepare topics " + topics);
  }

  /** Creates a fresh one-partition reply topic and returns its name. */
  String createReplyTopic() {
    String topic = TopicNames.newReplyTopic();
    await(create(newTopic(topic, Optional.of(1))), "create reply topic " + topic);
    return topic;
  }

  void deleteTopic(String topic, Duration timeout) {
    known.remove(topic);
    try {
      admin
          .deleteTopics(List.of(topic))
          .all()
          .get(Math.max(1, timeout.toMillis()), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      LOG.warn(
          "Could not delete Kafka topic '{}'; delete it by hand, it is no longer used", topic, e);
    }
  }

  /**
   * Partitions of an existing topic. A topic created a moment ago may not be known to every broker
   * yet, so "unknown topic" is retried for a few seconds.
   */
  List<TopicPartition> partitions(String topic) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    Map<String, TopicDescription> d;
    while (true) {
      try {
        d =
            await(
                toFuture(admin.describeTopics(List.of(topic)).allTopicNames()),
                "describe " + topic);
        break;
      } catch (TransportException e) {
        if (!(e.getCause() instanceof UnknownTopicOrPartitionException)
            || System.nanoTime() > deadline) {
          throw e;
        }
        pause(Duration.ofMillis(100));
      }
    }
    List<TopicPartition> out = new ArrayList<>();
    d.get(topic).partitions().forEach(p -> out.add(new TopicPartition(topic, p.partition())));
    return out;
  }

  Map<TopicPartition, Long> endOffsets(Collection<TopicPartition> partitions) {
    return offsets(partitions, OffsetSpec.latest());
  }

  Map<TopicPartition, Long> startOffsets(Collection<TopicPartition> partitions) {
    return offsets(partitions, OffsetSpec.earliest());
  }

  private Map<TopicPartition, Long> offsets(Collection<TopicPartition> partitions, OffsetSpec s) {
    Map<TopicPartition, OffsetSpec> spec = new HashMap<>();
    partitions.forEach(tp -> spec.put(tp, s));
    Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> info =
        await(toFuture(admin.listOffsets(spec).all()), "read end offsets");
    Map<TopicPartition, Long> out = new HashMap<>();
    info.forEach((tp, i) -> out.put(tp, i.offset()));
    return out;
  }

  /** The committed offsets of a consumer group; partitions it never committed are absent. */
  Map<TopicPartition, OffsetAndMetadata> groupOffsets(String group) {
    Map<TopicPartition, OffsetAndMetadata> raw =
        await(
            toFuture(admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata()),
            "read offsets of group " + group);
    Map<TopicPartition, OffsetAndMetadata> out = new HashMap<>();
    raw.forEach(
        (tp, om) -> {
          if (om != null) {
            out.put(tp, om);
          }
        });
    return out;
  }

  void commitGroupOffsets(String group, Map<TopicPartition, OffsetAndMetadata> offsets) {
    await(
        toFuture(admin.alterConsumerGroupOffsets(group, offsets).all()),
        "commit offsets of group " + group);
  }

  /**
   * Makes a share group start from the earliest offset of partitions it has not read, and reads the
   * delivery-count limit and lock duration the broker applies to it.
   */
  ShareLimits prepareShareGroup(String group) {
    ConfigResource resource = new ConfigResource(ConfigResource.Type.GROUP, group);
    AlterConfigOp op =
        new AlterConfigOp(
            new ConfigEntry(SHARE_AUTO_OFFSET_RESET, "earliest"), AlterConfigOp.OpType.SET);
    await(
        toFuture(admin.incrementalAlterConfigs(Map.of(resource, List.of(op))).all()),
        "set " + SHARE_AUTO_OFFSET_RESET + " of share group " + group);
    Map<ConfigResource, Config> configs =
        await(
            toFuture(admin.describeConfigs(List.of(resource)).all()),
            "describe share group " + group);
    Config config = configs.get(resource);
    int limit = intValue(config, SHARE_DELIVERY_COUNT_LIMIT, 5);
    long lock = intValue(config, SHARE_RECORD_LOCK_DURATION, 30_000);
    return new ShareLimits(limit, lock);
  }

  @Override
  public void close() {
    admin.close(settings.operationTimeout());
  }

  private static void pause(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TransportException("interrupted", e);
    }
  }

  private static int intValue(Config config, String name, int fallback) {
    ConfigEntry e = config != null ? config.get(name) : null;
    if (e == null || e.value() == null) {
      return fallback;
    }
    try {
      return Integer.parseInt(e.value());
    } catch (NumberFormatException ex) {
      return fallback;
    }
  }

  private CompletableFuture<Void> create(NewTopic topic) {
    return toFuture(admin.createTopics(List.of(topic)).all())
        .handle(
            (v, e) -> {
              if (e != null && !(unwrap(e) instanceof TopicExistsException)) {
                throw new CompletionException(unwrap(e));
              }
              if (e == null) {
                LOG.info(
                    "Created Kafka topic '{}' ({} partitions, replication factor {})",
                    topic.name(),
                    topic.numPartitions() < 0 ? "broker default" : topic.numPartitions(),
                    topic.replicationFactor() < 0 ? "broker default" : topic.replicationFactor());
              }
              return null;
            });
  }

  private NewTopic newTopic(String name, Optional<Integer> partitions) {
    return new NewTopic(name, partitions, settings.replicationFactor());
  }

  private <T> T await(CompletableFuture<T> future, String what) {
    long ms = settings.operationTimeout().toMillis();
    try {
      return future.get(ms, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TransportException("interrupted while waiting to " + what, e);
    } catch (TimeoutException e) {
      throw new TransportException(
          "Kafka did not answer within " + ms + " ms to " + what + "; is the broker reachable?", e);
    } catch (ExecutionException e) {
      Throwable cause = unwrap(e);
      if (cause instanceof RuntimeException r
          && (r instanceof DestinationNotFoundException || r instanceof ConfigurationException)) {
        throw r;
      }
      if (KafkaAuthenticationException.isAuthenticationFailure(cause)) {
        throw KafkaAuthenticationException.of(settings, cause);
      }
      throw new TransportException("Kafka failed to " + what + ": " + cause, cause);
    }
  }

  static <T> CompletableFuture<T> toFuture(KafkaFuture<T> f) {
    return f.toCompletionStage().toCompletableFuture();
  }

  static Throwable unwrap(Throwable e) {
    Throwable t = e;
    while ((t instanceof CompletionException || t instanceof ExecutionException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }
}
