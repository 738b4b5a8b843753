package dev.switchboard.kafka;

import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The validated settings of one transport, and the client configurations derived from them. The
 * builder rejects overrides of the keys set here, so these always win. {@link #toString()} masks
 * secrets: those of {@link KafkaSecurity}, and raw properties whose names say they hold one.
 */
record KafkaSettings(
    String bootstrapServers,
    String clientId,
    Map<String, String> clientOverrides,
    Map<String, String> producerOverrides,
    Map<String, String> consumerOverrides,
    Duration linger,
    int batchSize,
    Duration deliveryTimeout,
    Optional<Integer> partitions,
    Optional<Short> replicationFactor,
    TopicCreation topicCreation,
    Duration pollTimeout,
    Duration commitInterval,
    Duration operationTimeout,
    Optional<KafkaSecurity> security) {

  /** Keys a share consumer refuses; consumer overrides with these names are left out for it. */
  private static final Set<String> NOT_FOR_SHARE_CONSUMERS =
      Set.of(
          ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
          ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
          ConsumerConfig.GROUP_INSTANCE_ID_CONFIG,
          ConsumerConfig.ISOLATION_LEVEL_CONFIG,
          ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG,
          ConsumerConfig.INTERCEPTOR_CLASSES_CONFIG,
          ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG,
          ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG,
          ConsumerConfig.GROUP_PROTOCOL_CONFIG,
          ConsumerConfig.GROUP_REMOTE_ASSIGNOR_CONFIG);

  private static final AtomicInteger CLIENT_SEQUENCE = new AtomicInteger();

  KafkaSettings {
    clientOverrides = Map.copyOf(clientOverrides);
    producerOverrides = Map.copyOf(producerOverrides);
    consumerOverrides = Map.copyOf(consumerOverrides);
  }

  /** A client id unique in this JVM, so that client metrics and MBeans never collide. */
  String clientIdFor(String role) {
    return clientId + "-" + role + "-" + CLIENT_SEQUENCE.incrementAndGet();
  }

  Map<String, Object> producerConfig() {
    Map<String, Object> c = base(clientIdFor("producer"));
    c.putAll(producerOverrides);
    long deliveryMs = deliveryTimeout.toMillis();
    long lingerMs = linger.toMillis();
    c.put(ProducerConfig.ACKS_CONFIG, "all");
    c.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    c.put(ProducerConfig.LINGER_MS_CONFIG, (int) lingerMs);
    c.put(ProducerConfig.BATCH_SIZE_CONFIG, batchSize);
    c.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) deliveryMs);
    // Kafka requires delivery.timeout.ms >= linger.ms + request.timeout.ms.
    long requestMs =
        Long.parseLong(
            producerOverrides.getOrDefault(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "30000"));
    c.put(
        ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) Math.min(requestMs, deliveryMs - lingerMs));
    if (!producerOverrides.containsKey(ProducerConfig.MAX_BLOCK_MS_CONFIG)) {
      c.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, deliveryMs);
    }
    c.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    c.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    return c;
  }

  /** The largest request the producer sends, which bounds a single record. */
  int maxRequestSize() {
    return Integer.parseInt(
        producerOverrides.getOrDefault(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, "1048576"));
  }

  /** A group member using the consumer group protocol, committing offsets itself. */
  Map<String, Object> groupConsumerConfig(String groupId, int maxPollRecords) {
    Map<String, Object> c = base(clientIdFor("consumer"));
    c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    // The range assignor splits each topic among the members. The default (uniform) balances
    // the total count, which can leave one member every partition of the destination and the
    // other only the group's retry topics.
    c.put(ConsumerConfig.GROUP_REMOTE_ASSIGNOR_CONFIG, "range");
    c.putAll(consumerOverrides);
    c.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
    c.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, "consumer");
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, maxPollRecords);
    deserializers(c);
    return c;
  }

  /** A share group member acknowledging each record explicitly. */
  Map<String, Object> shareConsumerConfig(String groupId, int maxPollRecords) {
    Map<String, Object> c = base(clientIdFor("share"));
    consumerOverrides.forEach(
        (k, v) -> {
          if (!NOT_FOR_SHARE_CONSUMERS.contains(k)) {
            c.put(k, v);
          }
        });
    c.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
    c.put(ConsumerConfig.SHARE_ACKNOWLEDGEMENT_MODE_CONFIG, "explicit");
    c.put(ConsumerConfig.SHARE_ACQUIRE_MODE_CONFIG, "record_limit");
    c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, maxPollRecords);
    deserializers(c);
    return c;
  }

  /** A consumer outside any group, reading partitions it assigns itself. */
  Map<String, Object> assignedConsumerConfig(String role) {
    Map<String, Object> c = base(clientIdFor(role));
    consumerOverrides.forEach(
        (k, v) -> {
          if (!NOT_FOR_SHARE_CONSUMERS.contains(k) && !k.equals(ConsumerConfig.GROUP_ID_CONFIG)) {
            c.put(k, v);
          }
        });
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    deserializers(c);
    return c;
  }

  Map<String, Object> adminConfig() {
    Map<String, Object> c = base(clientIdFor("admin"));
    c.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) operationTimeout.toMillis());
    c.put(
        AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG,
        (int) Math.min(30_000, operationTimeout.toMillis()));
    return c;
  }

  /** The consumer's {@code max.poll.interval.ms}, which bounds how long a poll may be missed. */
  long maxPollIntervalMs() {
    return Long.parseLong(
        consumerOverrides.getOrDefault(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, "300000"));
  }

  @Override
  public String toString() {
    return "KafkaSettings{bootstrapServers="
        + bootstrapServers
        + ", clientId="
        + clientId
        + ", security="
        + security.map(KafkaSecurity::toString).orElse("none")
        + ", client="
        + masked(clientOverrides)
        + ", producer="
        + masked(producerOverrides)
        + ", consumer="
        + masked(consumerOverrides)
        + ", linger="
        + linger
        + ", batchSize="
        + batchSize
        + ", deliveryTimeout="
        + deliveryTimeout
        + ", partitions="
        + partitions
        + ", replicationFactor="
        + replicationFactor
        + ", topicCreation="
        + topicCreation
        + ", pollTimeout="
        + pollTimeout
        + ", commitInterval="
        + commitInterval
        + ", operationTimeout="
        + operationTimeout
        + "}";
  }

  private static Map<String, String> masked(Map<String, String> properties) {
    Map<String, String> out = new TreeMap<>();
    properties.forEach((k, v) -> out.put(k, isSecret(k) ? "****" : v));
    return out;
  }

  private static boolean isSecret(String key) {
    String k = key.toLowerCase(Locale.ROOT);
    return k.contains("password") || k.contains("jaas") || k.contains("secret");
  }

  private Map<String, Object> base(String id) {
    Map<String, Object> c = new HashMap<>(clientOverrides);
    security.ifPresent(s -> c.putAll(s.clientConfig()));
    c.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    c.put(AdminClientConfig.CLIENT_ID_CONFIG, id);
    return c;
  }

  private static void deserializers(Map<String, Object> c) {
    c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
  }
}
