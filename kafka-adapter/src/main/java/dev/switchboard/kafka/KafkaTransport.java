package dev.switchboard.kafka;

import dev.switchboard.messaging.PublishException;
import dev.switchboard.messaging.spi.Capability;
import dev.switchboard.messaging.spi.ConsumerSpec;
import dev.switchboard.messaging.spi.DeadLetterStore;
import dev.switchboard.messaging.spi.DeliveryHandler;
import dev.switchboard.messaging.spi.Destination;
import dev.switchboard.messaging.spi.ReplyEndpoint;
import dev.switchboard.messaging.spi.ReplyHandler;
import dev.switchboard.messaging.spi.Transport;
import dev.switchboard.messaging.spi.TransportConsumer;
import dev.switchboard.messaging.spi.WireMessage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Kafka transport: publish-subscribe over consumer groups, work queues over share groups,
 * redelivery through retry topics, dead-letter topics, and request-reply over private reply topics.
 * Requires Kafka 4.x brokers with the consumer group protocol and share groups enabled.
 * Thread-safe.
 *
 * <h2>Topics and groups it uses</h2>
 *
 * For a destination {@code D} and a group {@code G} (for a queue, G is the queue's name):
 *
 * <table>
 *   <caption>Derived names</caption>
 *   <tr><th>name</th><th>what</th></tr>
 *   <tr><td>{@code D}</td><td>the destination itself; a topic is read by one consumer group per
 *       subscriber group, a queue by one share group</td></tr>
 *   <tr><td>{@code D.G.retry-<ms>ms}</td><td>one per redelivery delay level of the group;
 *       records wait there until their timestamp plus the level has passed</td></tr>
 *   <tr><td>{@code D.G.redrive}</td><td>dead letters moved back to the group, and released
 *       queue records the broker would otherwise archive</td></tr>
 *   <tr><td>{@code D.G.dlt}</td><td>the group's dead letters</td></tr>
 *   <tr><td>{@code sb.reply.<uuid>}</td><td>one per reply endpoint, one partition, deleted when
 *       the endpoint closes</td></tr>
 *   <tr><td>group {@code G}</td><td>the consumer group (topic) or share group (queue)</td></tr>
 *   <tr><td>group {@code D.G.retry}</td><td>the consumer group reading a queue's retry and
 *       redrive topics</td></tr>
 *   <tr><td>group {@code D.G.dlt.moved}</td><td>never joined; its committed offsets record what
 *       was moved out of {@code D.G.dlt}</td></tr>
 * </table>
 *
 * Names longer than Kafka's 249 characters are shortened with a hash. Retry, redrive and
 * dead-letter topics belong to one group, so nothing sent there reaches other groups. With {@link
 * TopicCreation#NONE} all of them must exist before a consumer starts. Consumer group ids and share
 * group ids share one namespace on the broker: a topic's subscriber group must not be named like a
 * queue.
 *
 * <h2>Guarantees and limits</h2>
 *
 * <ul>
 *   <li>{@link #send} completes when all in-sync replicas have the record (idempotent producer,
 *       {@code acks=all}).
 *   <li>Topics: at-least-once, in order per key within a group, with up to {@code concurrency} keys
 *       in parallel even on fewer partitions. A new group starts at the earliest retained record
 *       (change with {@code consumerProperty("auto.offset.reset", "latest")}).
 *   <li>Topics: an acknowledgement completes once a commit covers its offset (see {@link
 *       Builder#commitInterval}); settled offsets above an unsettled one travel in the commit's
 *       metadata, so after a restart or rebalance only unsettled records come again.
 *   <li>Queues: at-least-once, no order (share groups hand out records of one partition to many
 *       consumers). The broker counts deliveries ({@link Capability#BROKER_DELIVERY_COUNT}) and
 *       archives a record after {@code share.delivery.count.limit} deliveries; a release that would
 *       reach that limit goes through the redrive topic instead. Long handlers keep their
 *       acquisition lock by renewal, committed without fetching. A queue consumer fetches its next
 *       batch (up to {@code prefetch} records) once the current batch is settled, so one slow job
 *       can leave other workers idle. A record fetched but not started when the consumer pauses or
 *       stops is given back at once, counting one delivery. A share consumer that fails in a way
 *       retrying cannot cure is replaced, and the records it held are delivered again.
 *   <li>Stages returned by {@link #send} and by settling complete on one transport thread; work
 *       chained onto them must not block.
 *   <li>Redelivery delays are fixed levels: the smallest level not shorter than the requested
 *       delay, else the longest ({@link Capability#ARBITRARY_REDELIVERY_DELAY} is not declared).
 *       Due times come from record timestamps, so clocks of producers and consumers should agree. A
 *       redelivered message loses its place in the per-key order.
 *   <li>A reply sent to a closed endpoint fails with {@code DestinationNotFoundException}, unless
 *       the broker auto-creates topics ({@code auto.create.topics.enable}, best turned off).
 * </ul>
 */
public final class KafkaTransport implements Transport {
  private static final Logger LOG = LoggerFactory.getLogger(KafkaTransport.class);

  private final KafkaSettings settings;
  private final TopicAdmin admin;
  private final Publisher publisher;
  private final CompletionThread completions;
  private final Set<KafkaConsumerHandle> consumers = ConcurrentHashMap.newKeySet();
  private final Set<KafkaReplyEndpoint> endpoints = ConcurrentHashMap.newKeySet();
  private final ConcurrentHashMap<String, KafkaDeadLetterStore> stores = new ConcurrentHashMap<>();
  private final AtomicBoolean closed = new AtomicBoolean();

  KafkaTransport(KafkaSettings settings) {
    this.settings = settings;
    this.admin = new TopicAdmin(settings);
    this.completions = new CompletionThread("sb-kafka-" + settings.clientId() + "-completions");
    this.publisher = new Publisher(settings, admin, completions);
    LOG.info(
        "Kafka transport {} started for {} ({})",
        settings.clientId(),
        settings.bootstrapServers(),
        settings.security().map(KafkaSecurity::toString).orElse("no typed security"));
  }

  /** Starts a builder; only {@link Builder#bootstrapServers} is required. */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public String name() {
    return "kafka";
  }

  @Override
  public Set<Capability> capabilities() {
    return EnumSet.of(
        Capability.ORDER_PER_KEY, Capability.BROKER_DELIVERY_COUNT, Capability.BROKER_RESTART);
  }

  @Override
  public CompletableFuture<Void> send(Destination destination, WireMessage message) {
    Objects.requireNonNull(destination, "destination");
    Objects.requireNonNull(message, "message");
    return publisher.send(destination.name(), message);
  }

  @Override
  public CompletableFuture<Void> reply(String replyAddress, WireMessage message) {
    Objects.requireNonNull(message, "message");
    try {
      Destination.requireName(replyAddress, "reply address");
    } catch (IllegalArgumentException e) {
      return CompletableFuture.failedFuture(
          new PublishException("'" + replyAddress + "' is not a Kafka reply address", e));
    }
    // Check, never create: a reply address that leads nowhere fails instead of making a topic.
    return admin.existsAsync(replyAddress).thenCompose(v -> publisher.send(replyAddress, message));
  }

  @Override
  public void declare(Destination destination) {
    admin.ensureAll(List.of(destination.name()));
  }

  @Override
  public TransportConsumer consume(ConsumerSpec spec, DeliveryHandler handler) {
    Objects.requireNonNull(spec, "spec");
    Objects.requireNonNull(handler, "handler");
    requireOpen();
    Destination d = spec.destination();
    String group = spec.group();
    GroupRoutes routes = new GroupRoutes(d.name(), group, spec.redeliveryDelays(), publisher);
    List<String> needed = new ArrayList<>();
    needed.add(d.name());
    needed.addAll(routes.topics());
    admin.ensureAll(needed);
    String label = d + " group " + group;
    List<String> delayed = List.copyOf(routes.delayedInputs().keySet());
    KafkaConsumerHandle handle;
    if (d.kind() == Destination.Kind.TOPIC) {
      Dispatcher dispatcher = new Dispatcher("sb-kafka-" + group, spec.concurrency(), true);
      List<String> topics = new ArrayList<>();
      topics.add(d.name());
      topics.addAll(delayed);
      GroupLoop loop =
          new GroupLoop(
              label,
              settings,
              group,
              topics,
              routes.delayedInputs(),
              dispatcher,
              completions,
              handler,
              routes,
              spec.prefetch());
      handle = new KafkaConsumerHandle(label, dispatcher, loop, null, consumers::remove);
    } else {
      TopicAdmin.ShareLimits limits = admin.prepareShareGroup(group);
      LOG.info(
          "Share group {} delivers a record at most {} times, lock {} ms",
          group,
          limits.deliveryCountLimit(),
          limits.lockDurationMs());
      Dispatcher dispatcher = new Dispatcher("sb-kafka-" + group, spec.concurrency(), false);
      ShareLoop share =
          new ShareLoop(
              label,
              settings,
              group,
              d.name(),
              dispatcher,
              completions,
              handler,
              routes,
              limits,
              spec.prefetch());
      GroupLoop retries =
          new GroupLoop(
              label + " (retries)",
              settings,
              TopicNames.queueRetryGroup(d.name(), group),
              delayed,
              routes.delayedInputs(),
              dispatcher,
              completions,
              handler,
              routes,
              spec.prefetch());
      handle = new KafkaConsumerHandle(label, dispatcher, retries, share, consumers::remove);
    }
    consumers.add(handle);
    handle.start();
    return handle;
  }

  @Override
  public ReplyEndpoint openReplyEndpoint(ReplyHandler handler) {
    Objects.requireNonNull(handler, "handler");
    requireOpen();
    KafkaReplyEndpoint endpoint =
        KafkaReplyEndpoint.open(settings, admin, handler, endpoints::remove);
    endpoints.add(endpoint);
    return endpoint;
  }

  @Override
  public DeadLetterStore deadLetters(Destination destination, String group) {
    Destination.requireName(group, "group");
    requireOpen();
    return stores.computeIfAbsent(
        destination.name() + '\u0000' + group,
        k -> {
          GroupRoutes routes = new GroupRoutes(destination.name(), group, List.of(), publisher);
          admin.ensureAll(List.of(routes.deadLetterTopic(), routes.redriveTopic()));
          return new KafkaDeadLetterStore(routes, admin, settings);
        });
  }

  @Override
  public void close(Duration timeout) {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    long deadline = System.nanoTime() + timeout.toNanos();
    for (KafkaConsumerHandle c : List.copyOf(consumers)) {
      c.close(left(deadline));
    }
    for (KafkaReplyEndpoint e : List.copyOf(endpoints)) {
      e.close();
    }
    publisher.flush(left(deadline));
    publisher.close(left(deadline));
    admin.close();
    completions.shutdown();
    try {
      if (!completions.awaitTermination(left(deadline))) {
        LOG.warn(
            "Completion tasks of Kafka transport {} still run after close", settings.clientId());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    LOG.info("Kafka transport {} closed", settings.clientId());
  }

  /** Settings as resolved by the builder; for tests. */
  KafkaSettings settings() {
    return settings;
  }

  private static Duration left(long deadlineNanos) {
    return Duration.ofNanos(Math.max(0, deadlineNanos - System.nanoTime()));
  }

  private void requireOpen() {
    if (closed.get()) {
      throw new IllegalStateException("the Kafka transport is closed");
    }
  }

  @Override
  public String toString() {
    return "KafkaTransport{" + settings.clientId() + "}";
  }

  /**
   * Configures a {@link KafkaTransport}. Each setting may be given once; a second call, or a raw
   * client property that would contradict a typed setting or the transport's own needs, is rejected
   * at the call with a message naming both. Not thread-safe.
   */
  public static final class Builder {
    /** Keys set by a typed method, which the raw property methods must not override. */
    private static final Map<String, String> TYPED =
        Map.of(
            "bootstrap.servers", "bootstrapServers(String)",
            "client.id", "clientId(String)",
            "linger.ms", "linger(Duration)",
            "batch.size", "batchSize(int)",
            "delivery.timeout.ms", "deliveryTimeout(Duration)");

    /** Keys the transport sets itself, with the reason. */
    private static final Map<String, String> FIXED =
        Map.ofEntries(
            Map.entry("acks", "sends complete only when all in-sync replicas have the record"),
            Map.entry("enable.idempotence", "the producer is always idempotent"),
            Map.entry("key.serializer", "keys and values are bytes"),
            Map.entry("value.serializer", "keys and values are bytes"),
            Map.entry("key.deserializer", "keys and values are bytes"),
            Map.entry("value.deserializer", "keys and values are bytes"),
            Map.entry("transactional.id", "the transport does not use transactions"),
            Map.entry("group.id", "groups come from ConsumerSpec.group()"),
            Map.entry("group.protocol", "group members use the consumer group protocol"),
            Map.entry("enable.auto.commit", "the transport commits only settled offsets"),
            Map.entry("max.poll.records", "it follows ConsumerSpec.prefetch()"),
            Map.entry("share.acknowledgement.mode", "share consumers acknowledge explicitly"),
            Map.entry("share.acquire.mode", "share consumers acquire at most prefetch records"),
            Map.entry(
                "session.timeout.ms",
                "the consumer group protocol sets it on the broker (consumer.session.timeout.ms)"),
            Map.entry(
                "heartbeat.interval.ms",
                "the consumer group protocol sets it on the broker"
                    + " (consumer.heartbeat.interval.ms)"),
            Map.entry(
                "partition.assignment.strategy",
                "the consumer group protocol assigns on the broker"));

    private @Nullable String bootstrapServers;
    private @Nullable String clientId;
    private final Map<String, String> clientProps = new LinkedHashMap<>();
    private final Map<String, String> producerProps = new LinkedHashMap<>();
    private final Map<String, String> consumerProps = new LinkedHashMap<>();
    private @Nullable Duration linger;
    private @Nullable Integer batchSize;
    private @Nullable Duration deliveryTimeout;
    private @Nullable Integer partitions;
    private @Nullable Short replicationFactor;
    private @Nullable TopicCreation topicCreation;
    private @Nullable Duration pollTimeout;
    private @Nullable Duration commitInterval;
    private @Nullable Duration operationTimeout;
    private @Nullable KafkaSecurity security;

    private Builder() {}

    /** The brokers to bootstrap from, {@code host:port[,host:port...]}. Required. */
    public Builder bootstrapServers(String servers) {
      once(bootstrapServers, "bootstrapServers");
      this.bootstrapServers = requireText(servers, "bootstrapServers");
      return this;
    }

    /** A prefix for the client ids of every Kafka client; default {@code switchboard}. */
    public Builder clientId(String id) {
      once(clientId, "clientId");
      this.clientId = requireText(id, "clientId");
      return this;
    }

    /**
     * A property for every client (producer, consumers, admin), for what has no typed setting here,
     * such as {@code ssl.keystore.*} for client certificates. The keys {@link #security} sets are
     * rejected once it is given, and it is rejected once one of them is set here.
     */
    public Builder clientProperty(String key, String value) {
      checkRaw("clientProperty", key);
      KafkaSecurity.rejectLater(security, "clientProperty", key);
      conflict(key, producerProps, "producerProperty");
      conflict(key, consumerProps, "consumerProperty");
      clientProps.put(key, Objects.requireNonNull(value, key));
      return this;
    }

    /** A producer property, for what has no typed setting here. */
    public Builder producerProperty(String key, String value) {
      checkRaw("producerProperty", key);
      KafkaSecurity.rejectLater(security, "producerProperty", key);
      conflict(key, clientProps, "clientProperty");
      producerProps.put(key, Objects.requireNonNull(value, key));
      return this;
    }

    /** A property of every consumer, for what has no typed setting here. */
    public Builder consumerProperty(String key, String value) {
      checkRaw("consumerProperty", key);
      KafkaSecurity.rejectLater(security, "consumerProperty", key);
      conflict(key, clientProps, "clientProperty");
      consumerProps.put(key, Objects.requireNonNull(value, key));
      return this;
    }

    /**
     * How long the producer waits to fill a batch; default 5 ms, set explicitly because Kafka 4.0
     * changed the client default.
     */
    public Builder linger(Duration linger) {
      once(this.linger, "linger");
      requireNotNegative(linger, "linger");
      if (deliveryTimeout != null && linger.compareTo(deliveryTimeout) >= 0) {
        throw new IllegalArgumentException(
            "linger(" + linger + ") must be shorter than deliveryTimeout(" + deliveryTimeout + ")");
      }
      this.linger = linger;
      return this;
    }

    /** The producer's batch size in bytes; default 16384. */
    public Builder batchSize(int bytes) {
      once(batchSize, "batchSize");
      if (bytes < 0) {
        throw new IllegalArgumentException("batchSize must be >= 0, was " + bytes);
      }
      this.batchSize = bytes;
      return this;
    }

    /**
     * How long a send may take before its future fails with {@code PublishException}, retries
     * included; default 2 minutes.
     */
    public Builder deliveryTimeout(Duration timeout) {
      once(deliveryTimeout, "deliveryTimeout");
      requirePositive(timeout, "deliveryTimeout");
      if (linger != null && linger.compareTo(timeout) >= 0) {
        throw new IllegalArgumentException(
            "deliveryTimeout(" + timeout + ") must be longer than linger(" + linger + ")");
      }
      this.deliveryTimeout = timeout;
      return this;
    }

    /** Partitions of topics the transport creates; default the broker's {@code num.partitions}. */
    public Builder partitions(int count) {
      once(partitions, "partitions");
      if (count < 1) {
        throw new IllegalArgumentException("partitions must be >= 1, was " + count);
      }
      this.partitions = count;
      return this;
    }

    /**
     * Replication factor of topics the transport creates; default the broker's {@code
     * default.replication.factor}.
     */
    public Builder replicationFactor(int factor) {
      once(replicationFactor, "replicationFactor");
      if (factor < 1 || factor > Short.MAX_VALUE) {
        throw new IllegalArgumentException("replicationFactor must be >= 1, was " + factor);
      }
      this.replicationFactor = (short) factor;
      return this;
    }

    /** Whether missing topics are created; default {@link TopicCreation#AUTO}. */
    public Builder topicCreation(TopicCreation creation) {
      once(topicCreation, "topicCreation");
      this.topicCreation = Objects.requireNonNull(creation, "topicCreation");
      return this;
    }

    /** How long one poll waits for records; default 100 ms. */
    public Builder pollTimeout(Duration timeout) {
      once(pollTimeout, "pollTimeout");
      requirePositive(timeout, "pollTimeout");
      this.pollTimeout = timeout;
      return this;
    }

    /** How often settled offsets are committed at most; default 100 ms. */
    public Builder commitInterval(Duration interval) {
      once(commitInterval, "commitInterval");
      requireNotNegative(interval, "commitInterval");
      this.commitInterval = interval;
      return this;
    }

    /**
     * Secures every connection with TLS and, if the value says so, SASL: sets {@code
     * security.protocol}, {@code ssl.truststore.*}, {@code sasl.mechanism} and {@code
     * sasl.jaas.config} for the producer, consumers, share consumers and the admin client. Without
     * it the clients connect in plaintext unless raw properties say otherwise. A rejected login
     * fails sends, subscriptions and declarations with {@link KafkaAuthenticationException} within
     * the operation timeout.
     */
    public Builder security(KafkaSecurity security) {
      Objects.requireNonNull(security, "security");
      once(this.security, "security");
      KafkaSecurity.rejectEarlier(clientProps, "clientProperty");
      KafkaSecurity.rejectEarlier(producerProps, "producerProperty");
      KafkaSecurity.rejectEarlier(consumerProps, "consumerProperty");
      this.security = security;
      return this;
    }

    /** How long admin operations and synchronous commits may take; default 30 s. */
    public Builder operationTimeout(Duration timeout) {
      once(operationTimeout, "operationTimeout");
      requirePositive(timeout, "operationTimeout");
      this.operationTimeout = timeout;
      return this;
    }

    /** Creates the transport; its clients connect lazily. */
    public KafkaTransport build() {
      if (bootstrapServers == null) {
        throw new IllegalStateException("bootstrapServers(..) is required");
      }
      Duration lingerValue = linger != null ? linger : Duration.ofMillis(5);
      Duration delivery = deliveryTimeout != null ? deliveryTimeout : Duration.ofMinutes(2);
      if (lingerValue.compareTo(delivery) >= 0) {
        throw new IllegalArgumentException(
            "linger(" + lingerValue + ") must be shorter than deliveryTimeout(" + delivery + ")");
      }
      Duration poll = pollTimeout != null ? pollTimeout : Duration.ofMillis(100);
      String interval = consumerProps.get("max.poll.interval.ms");
      if (interval != null && poll.toMillis() * 2 >= Long.parseLong(interval)) {
        throw new IllegalArgumentException(
            "pollTimeout("
                + poll
                + ") must be well under consumerProperty(max.poll.interval.ms="
                + interval
                + ")");
      }
      KafkaSettings s =
          new KafkaSettings(
              bootstrapServers,
              clientId != null ? clientId : "switchboard",
              clientProps,
              producerProps,
              consumerProps,
              lingerValue,
              batchSize != null ? batchSize : 16_384,
              delivery,
              Optional.ofNullable(partitions),
              Optional.ofNullable(replicationFactor),
              topicCreation != null ? topicCreation : TopicCreation.AUTO,
              poll,
              commitInterval != null ? commitInterval : Duration.ofMillis(100),
              operationTimeout != null ? operationTimeout : Duration.ofSeconds(30),
              Optional.ofNullable(security));
      return new KafkaTransport(s);
    }

    private static void checkRaw(String method, String key) {
      requireText(key, method + " key");
      String typed = TYPED.get(key);
      if (typed != null) {
        throw new IllegalArgumentException(
            method + "(\"" + key + "\", ..) conflicts with " + typed + "; use " + typed);
      }
      String fixed = FIXED.get(key);
      if (fixed != null) {
        throw new IllegalArgumentException(
            method + "(\"" + key + "\", ..) is not allowed: " + fixed);
      }
    }

    private static void conflict(String key, Map<String, String> other, String otherMethod) {
      if (other.containsKey(key)) {
        throw new IllegalArgumentException(
            "'" + key + "' is already set by " + otherMethod + "; set it in one place only");
      }
    }

    private static void once(@Nullable Object current, String name) {
      if (current != null) {
        throw new IllegalStateException(name + "(..) was already set to " + current);
      }
    }

    private static String requireText(String value, String what) {
      Objects.requireNonNull(value, what);
      if (value.isBlank()) {
        throw new IllegalArgumentException(what + " must not be blank");
      }
      return value;
    }

    private static void requirePositive(Duration d, String what) {
      Objects.requireNonNull(d, what);
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(what + " must be positive, was " + d);
      }
    }

    private static void requireNotNegative(Duration d, String what) {
      Objects.requireNonNull(d, what);
      if (d.isNegative()) {
        throw new IllegalArgumentException(what + " must not be negative, was " + d);
      }
    }
  }
}
