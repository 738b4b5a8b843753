package dev.switchboard.rabbit;

import com.rabbitmq.client.ConnectionFactory;
import dev.switchboard.messaging.MessagingException;
import dev.switchboard.messaging.PublishException;
import dev.switchboard.messaging.TransportException;
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
import java.time.Instant;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The RabbitMQ transport (AMQP 0-9-1, RabbitMQ 3.10 or later).
 *
 * <h2>Topology</h2>
 *
 * Everything is durable and declared idempotently by the transport:
 *
 * <ul>
 *   <li>A topic {@code T} is a {@code fanout} exchange named {@code T}; fan-out suits a topic
 *       because every group receives every message and nothing is filtered by routing key.
 *   <li>Each subscriber group {@code G} of topic {@code T} is a queue {@code T.G} bound to that
 *       exchange. A work queue {@code Q} is a queue named {@code Q}, published to through the
 *       default exchange and declared, with its dead-letter queue, by its first send or consumer.
 *   <li>Each group queue {@code N} has a dead-letter queue {@code N.dlq} and, per delay level
 *       {@code D} of {@link ConsumerSpec#redeliveryDelays()}, a wait queue {@code N.wait.<D in
 *       ms>ms} with {@code x-message-ttl = D}, {@code x-dead-letter-exchange = ""} and {@code
 *       x-dead-letter-routing-key = N}: a message waits there for exactly one level's delay and the
 *       broker then moves it back to the group queue (and only that group's queue).
 *   <li>Queues are quorum queues unless {@link Builder#queueType} says otherwise. Quorum wait
 *       queues move expired messages with {@code x-dead-letter-strategy = at-least-once} (which
 *       requires {@code x-overflow = reject-publish}).
 * </ul>
 *
 * <h2>Connections</h2>
 *
 * The transport opens two connections to the broker, one for publishing and one for consuming, and
 * recovers each by itself after a loss. With TLS ({@code amqps://}, or {@link Builder#tls}) both
 * are encrypted, and the broker's certificate is checked as {@link RabbitTls} describes: host name
 * verification is on and only TLS 1.3 and 1.2 are offered. A refused login or a failed handshake
 * fails {@link Builder#build()} at once with {@link RabbitAuthenticationException}.
 *
 * <h2>Guarantees and limits</h2>
 *
 * <ul>
 *   <li>A send completes when the broker confirms the message. The first send to a work queue
 *       declares the queue and its dead-letter queue (once per transport), so jobs sent before any
 *       worker starts are kept. A send to a topic with no group yet fails with {@code
 *       DestinationNotFoundException}: its exchange has no queue bound, so nobody would receive the
 *       message. While the connection is down, sends fail at once; sends in flight fail when the
 *       connection drops, and none waits longer than {@link Builder#publishTimeout}.
 *   <li>Redelivery delays are fixed levels, so {@link Capability#ARBITRARY_REDELIVERY_DELAY} is not
 *       declared: a redelivery waits for the smallest level not shorter than the delay asked for,
 *       else the longest, and a group without levels (a retry policy that retries only in process)
 *       redelivers at once. Order per key is not kept when a group consumes with more than one
 *       channel, so {@link Capability#ORDER_PER_KEY} is not declared either.
 *   <li>A handler that holds a message longer than the broker's {@code consumer_timeout} (30
 *       minutes by default) makes the broker close its channel; the consumer logs a warning,
 *       subscribes again on a new channel, and the message comes back with its delivery counted.
 *       RabbitMQ 3.10 checks the timeout once per {@code channel_tick_interval} (advanced.config, a
 *       minute by default), so it may act up to that much later than the timeout.
 *   <li>On quorum queues the broker counts deliveries ({@code x-delivery-count}), including
 *       redeliveries after a consumer crash or a release.
 *   <li>A request published with a deadline carries the remaining time as its AMQP {@code
 *       expiration}, so the broker drops it once nobody can use the answer. Retried and
 *       dead-lettered copies never carry an expiration.
 *   <li>Replies use direct reply-to. A reply to a requester that has gone (closed endpoint, lost
 *       connection) is confirmed and dropped by the broker, which cannot tell that case apart, so
 *       its request times out; requests in flight when the requester's connection recovers end the
 *       same way. A reply to a plain queue name that does not exist fails with {@code
 *       DestinationNotFoundException}.
 * </ul>
 *
 * <p>Instances are thread-safe. {@link #toString()}, logs and exception messages show the broker
 * address with the password masked.
 */
public final class RabbitTransport implements Transport {
  private static final Logger LOG = LoggerFactory.getLogger(RabbitTransport.class);

  private final RabbitSettings settings;
  private final RabbitConnections connections;
  private final Topology topology;
  private final ConfirmingPublisher publisher;
  private final Set<Capability> capabilities;
  private final Map<Destination, Route> routes = new ConcurrentHashMap<>();
  private final Set<RabbitConsumer> consumers = ConcurrentHashMap.newKeySet();
  private final Map<String, DirectReplyEndpoint> endpoints = new ConcurrentHashMap<>();
  private final AtomicInteger endpointIds = new AtomicInteger();
  private final AtomicBoolean closed = new AtomicBoolean();

  private RabbitTransport(RabbitSettings settings) {
    this.settings = settings;
    RabbitTls tls = settings.tls();
    if (tls != null && !tls.verifiesHostname()) {
      LOG.warn(
          "RabbitMQ transport '{}' does not check that the certificate of {} names host '{}':"
              + " any holder of a trusted certificate can pose as the broker; turn host name"
              + " verification back on once the certificate lists that host",
          settings.connectionName(),
          settings.brokerUri(),
          settings.host());
    }
    this.connections = RabbitConnections.open(settings);
    this.topology = new Topology(settings, connections);
    this.publisher =
        new ConfirmingPublisher(
            "publisher",
            () -> connections.openChannel(RabbitConnections.Role.PUBLISH),
            settings,
            connections);
    Set<Capability> caps = EnumSet.of(Capability.BROKER_RESTART);
    if (settings.quorum()) {
      caps.add(Capability.BROKER_DELIVERY_COUNT);
    }
    this.capabilities = Set.copyOf(caps);
    connections.onRecovery(RabbitConnections.Role.CONSUME, this::afterConsumingRecovery);
    connections.onRecovery(RabbitConnections.Role.PUBLISH, this::afterPublishingRecovery);
    LOG.info(
        "RabbitMQ transport '{}' connected to {} ({} queues{})",
        settings.connectionName(),
        settings.brokerUri(),
        settings.queueType(),
        tls == null ? "" : ", " + tls);
  }

  /** A builder with every setting at its default: {@code amqp://guest:****@localhost:5672/}. */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public String name() {
    return "rabbitmq";
  }

  @Override
  public Set<Capability> capabilities() {
    return capabilities;
  }

  @Override
  public CompletableFuture<Void> send(Destination destination, WireMessage message) {
    Objects.requireNonNull(destination, "destination");
    Objects.requireNonNull(message, "message");
    if (closed.get()) {
      return CompletableFuture.failedFuture(
          new PublishException("cannot send to " + destination + ": the transport is closed"));
    }
    try {
      Route route = routeFor(destination);
      String replyTo = message.envelope().replyTo().orElse(null);
      if (replyTo != null && DirectReplyEndpoint.isLocalForm(replyTo)) {
        DirectReplyEndpoint endpoint = endpoints.get(replyTo);
        if (endpoint == null) {
          return CompletableFuture.failedFuture(
              new PublishException(
                  "cannot send a request to "
                      + destination
                      + ": its reply endpoint "
                      + replyTo
                      + " is closed; open a new one"));
        }
        return endpoint.sendRequest(route, message);
      }
      return publisher.publish(
          route,
          AmqpCodec.properties(message.envelope(), null, replyTo != null, Instant.now()),
          message.body());
    } catch (MessagingException e) {
      return CompletableFuture.failedFuture(asPublishFailure(destination, e));
    }
  }

  @Override
  public CompletableFuture<Void> reply(String replyAddress, WireMessage message) {
    Objects.requireNonNull(replyAddress, "replyAddress");
    Objects.requireNonNull(message, "message");
    if (closed.get()) {
      return CompletableFuture.failedFuture(
          new PublishException("cannot reply to " + replyAddress + ": the transport is closed"));
    }
    if (replyAddress.isEmpty() || Topology.utf8Length(replyAddress) > Topology.MAX_NAME_BYTES) {
      return CompletableFuture.failedFuture(
          new PublishException(
              "reply address must be 1-255 bytes, was " + replyAddress.length() + " chars"));
    }
    return publisher.publish(
        Route.reply(replyAddress),
        AmqpCodec.properties(message.envelope(), null, false, Instant.now()),
        message.body());
  }

  /**
   * Declares a topic's exchange, or a work queue and its dead-letter queue. Sending does the same
   * on first use, so this only moves that round trip (and any refusal) to a time of the caller's
   * choosing.
   *
   * @throws dev.switchboard.messaging.ConfigurationException if the broker refuses, for instance
   *     because the queue exists with another type
   * @throws TransportException if the broker cannot be reached
   */
  @Override
  public void declare(Destination destination) {
    Objects.requireNonNull(destination, "destination");
    requireOpen();
    routeFor(destination);
  }

  @Override
  public TransportConsumer consume(ConsumerSpec spec, DeliveryHandler handler) {
    Objects.requireNonNull(spec, "spec");
    Objects.requireNonNull(handler, "handler");
    requireOpen();
    GroupTopology group = topology.declareGroup(spec);
    RabbitConsumer consumer =
        new RabbitConsumer(
            spec, group, handler, settings, connections, topology, publisher, consumers::remove);
    consumers.add(consumer);
    try {
      consumer.start();
    } catch (RuntimeException e) {
      consumer.close(Duration.ofSeconds(1));
      throw e;
    }
    return consumer;
  }

  @Override
  public ReplyEndpoint openReplyEndpoint(ReplyHandler handler) {
    Objects.requireNonNull(handler, "handler");
    requireOpen();
    String address = DirectReplyEndpoint.localAddress(endpointIds.incrementAndGet());
    DirectReplyEndpoint endpoint =
        new DirectReplyEndpoint(address, handler, settings, connections, endpoints::remove);
    endpoints.put(address, endpoint);
    try {
      endpoint.open();
    } catch (RuntimeException e) {
      endpoints.remove(address);
      throw e;
    }
    return endpoint;
  }

  @Override
  public DeadLetterStore deadLetters(Destination destination, String group) {
    Objects.requireNonNull(destination, "destination");
    Destination.requireName(group, "group");
    requireOpen();
    String groupQueue = Topology.groupQueue(destination, group);
    return new RabbitDeadLetterStore(
        groupQueue, Topology.deadLetterQueue(groupQueue), settings, connections, publisher);
  }

  @Override
  public void close(Duration timeout) {
    Objects.requireNonNull(timeout, "timeout");
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    long deadline = System.nanoTime() + timeout.toNanos();
    for (RabbitConsumer consumer : consumers) {
      consumer.close(remaining(deadline));
    }
    for (DirectReplyEndpoint endpoint : endpoints.values()) {
      endpoint.close();
    }
    publisher.close(remaining(deadline));
    connections.close(remaining(deadline));
    LOG.info("RabbitMQ transport '{}' closed", settings.connectionName());
  }

  @Override
  public String toString() {
    return "RabbitTransport{"
        + settings.brokerUri()
        + ", connectionName="
        + settings.connectionName()
        + ", queueType="
        + settings.queueType()
        + "}";
  }

  /** Everything this transport has declared on the broker, in order. */
  List<Topology.Decl> declarations() {
    return topology.declarations();
  }

  /**
   * The route of a destination, declared on the broker the first time it is asked for: a topic's
   * exchange, or a work queue and its dead-letter queue, so that jobs sent before any worker starts
   * are kept. Two threads sending first at once may both declare; declarations are idempotent.
   */
  private Route routeFor(Destination destination) {
    Route route = routes.get(destination);
    if (route != null) {
      return route;
    }
    if (destination.kind() == Destination.Kind.TOPIC) {
      topology.declareExchange(destination.name());
    } else {
      topology.declareWorkQueue(destination.name());
    }
    route = Route.of(destination);
    routes.put(destination, route);
    return route;
  }

  private void afterConsumingRecovery() {
    try {
      topology.redeclareAll();
    } catch (MessagingException e) {
      // Consumers still resubscribe; each retries on its own if its queue is missing.
      LOG.warn(
          "re-declaring the topology after the connection to {} recovered failed",
          settings.brokerUri(),
          e);
    }
    for (RabbitConsumer consumer : consumers) {
      consumer.resubscribeAll();
    }
  }

  private void afterPublishingRecovery() {
    for (DirectReplyEndpoint endpoint : endpoints.values()) {
      endpoint.reopenAfterRecovery();
    }
  }

  private void requireOpen() {
    if (closed.get()) {
      throw new TransportException("the RabbitMQ transport is closed");
    }
  }

  private static PublishException asPublishFailure(Destination d, MessagingException e) {
    if (e instanceof PublishException p) {
      return p;
    }
    return new PublishException("cannot send to " + d + ": " + e.getMessage(), e);
  }

  private static Duration remaining(long deadlineNanos) {
    return Duration.ofNanos(Math.max(0, deadlineNanos - System.nanoTime()));
  }

  /** The kind of queue the transport declares. */
  public enum QueueType {
    /** Replicated Raft queues; the broker counts deliveries. The default. */
    QUORUM,
    /** Classic queues, for brokers or policies that cannot use quorum queues. */
    CLASSIC
  }

  /**
   * Configures a {@link RabbitTransport}. Each setting may be given once; the broker address is
   * either one {@link #uri} or any of {@link #host}, {@link #port}, {@link #virtualHost} and {@link
   * #credentials}, never both. TLS is on with an {@code amqps://} URI or {@link #tls}; an {@code
   * amqp://} URI and {@link #tls} conflict. Not thread-safe.
   */
  public static final class Builder {
    private static final String ADDRESS_CONFLICT =
        ": a URI already names the host, port, virtual host and credentials; "
            + "give either uri(..) or host/port/virtualHost/credentials";
    private static final String PLAIN_URI_CONFLICT =
        ": an amqp:// URI asks for a plain connection; use amqps:// with tls(..)";

    private final Map<String, String> given = new LinkedHashMap<>();
    private String host = "localhost";
    private int port = ConnectionFactory.DEFAULT_AMQP_PORT;
    private String virtualHost = "/";
    private String username = "guest";
    private String password = "guest";
    private QueueType queueType = QueueType.QUORUM;
    private int confirmWindow = 512;
    private Duration publishTimeout = Duration.ofSeconds(10);
    private String connectionName = "switchboard";
    private Duration recoveryInterval = Duration.ofSeconds(2);
    private @Nullable RabbitTls tls;
    private boolean amqpsUri;

    private Builder() {}

    /**
     * The broker as {@code amqp://user:password@host:port/vhost}, or {@code amqps://..} for TLS,
     * the virtual host URL-encoded ({@code %2F} for {@code /}); no path or a lone {@code /} means
     * the default virtual host {@code /}. The port defaults to 5672, or 5671 with {@code amqps}. An
     * {@code amqps} URI without {@link #tls} trusts what the JVM trusts by default, with host name
     * verification on.
     *
     * @throws IllegalStateException if an address setting or, for an {@code amqp://} URI, {@link
     *     #tls} was given before
     */
    public Builder uri(String uri) {
      Objects.requireNonNull(uri, "uri");
      String masked = RabbitSettings.mask(uri);
      for (String other : new String[] {"host", "port", "virtualHost", "credentials"}) {
        if (given.containsKey(other)) {
          throw new IllegalStateException(
              "uri(" + masked + ") conflicts with " + other + "(..)" + ADDRESS_CONFLICT);
        }
      }
      BrokerUri parsed = BrokerUri.parse(uri);
      if (!parsed.tls() && tls != null) {
        throw new IllegalStateException(
            "uri(" + masked + ") conflicts with tls(" + tls + ")" + PLAIN_URI_CONFLICT);
      }
      once("uri", masked);
      amqpsUri = parsed.tls();
      host = parsed.host();
      port = parsed.port();
      virtualHost = parsed.virtualHost();
      username = parsed.username();
      password = parsed.password();
      return this;
    }

    /** The broker's host name or address; {@code localhost} by default. */
    public Builder host(String host) {
      Objects.requireNonNull(host, "host");
      if (host.isBlank()) {
        throw new IllegalArgumentException("host must not be blank");
      }
      address("host", host);
      this.host = host;
      return this;
    }

    /** The broker's port; 5672 by default, or 5671 with {@link #tls}. */
    public Builder port(int port) {
      if (port < 1 || port > 65_535) {
        throw new IllegalArgumentException("port must be 1-65535, was " + port);
      }
      address("port", Integer.toString(port));
      this.port = port;
      return this;
    }

    /** The virtual host, as the broker names it (not URL-encoded); {@code /} by default. */
    public Builder virtualHost(String virtualHost) {
      Objects.requireNonNull(virtualHost, "virtualHost");
      address("virtualHost", virtualHost);
      this.virtualHost = virtualHost;
      return this;
    }

    /** User name and password; the password is never printed. */
    public Builder credentials(String username, String password) {
      Objects.requireNonNull(username, "username");
      Objects.requireNonNull(password, "password");
      address("credentials", username + ":****");
      this.username = username;
      this.password = password;
      return this;
    }

    /**
     * Encrypts the connections with TLS as {@code tls} says: whom to trust, and whether the
     * certificate must name the host. It goes with an {@code amqps://} URI or with {@link #host}
     * and the other address settings (the port then defaults to 5671), not with an {@code amqp://}
     * URI: that one asks for a plain connection, and the transport does not guess which was meant.
     *
     * @throws IllegalStateException if given twice, or after an {@code amqp://} URI
     */
    public Builder tls(RabbitTls tls) {
      Objects.requireNonNull(tls, "tls");
      if (given.containsKey("uri") && !amqpsUri) {
        throw new IllegalStateException(
            "tls(" + tls + ") conflicts with uri(" + given.get("uri") + ")" + PLAIN_URI_CONFLICT);
      }
      once("tls", tls.toString());
      this.tls = tls;
      return this;
    }

    /** The type of every queue the transport declares; {@link QueueType#QUORUM} by default. */
    public Builder queueType(QueueType queueType) {
      Objects.requireNonNull(queueType, "queueType");
      once("queueType", queueType.name());
      this.queueType = queueType;
      return this;
    }

    /**
     * How many published messages may await the broker's confirmation at once (512 by default). A
     * send beyond it waits for room, at most {@link #publishTimeout}.
     */
    public Builder confirmWindow(int messages) {
      if (messages < 1) {
        throw new IllegalArgumentException("confirmWindow must be >= 1, was " + messages);
      }
      once("confirmWindow", Integer.toString(messages));
      this.confirmWindow = messages;
      return this;
    }

    /**
     * The longest a send waits, for room in the confirm window and then for the broker's
     * confirmation, before it fails with {@code PublishException} (10 seconds by default).
     */
    public Builder publishTimeout(Duration timeout) {
      Objects.requireNonNull(timeout, "publishTimeout");
      requirePositive(timeout, "publishTimeout");
      once("publishTimeout", timeout.toString());
      this.publishTimeout = timeout;
      return this;
    }

    /** The name the broker shows for this transport's connections; {@code switchboard}. */
    public Builder connectionName(String name) {
      Objects.requireNonNull(name, "connectionName");
      if (name.isBlank()) {
        throw new IllegalArgumentException("connectionName must not be blank");
      }
      once("connectionName", name);
      this.connectionName = name;
      return this;
    }

    /** The pause between reconnection attempts after the connection is lost; 2 seconds. */
    public Builder recoveryInterval(Duration interval) {
      Objects.requireNonNull(interval, "recoveryInterval");
      requirePositive(interval, "recoveryInterval");
      once("recoveryInterval", interval.toString());
      this.recoveryInterval = interval;
      return this;
    }

    /**
     * Connects to the broker.
     *
     * @throws RabbitAuthenticationException if the broker refuses the credentials or the TLS
     *     handshake fails
     * @throws TransportException if the broker cannot be reached
     * @throws dev.switchboard.messaging.ConfigurationException if the trust store cannot be read
     */
    public RabbitTransport build() {
      return new RabbitTransport(settings());
    }

    /** The settings as given, with the defaults that depend on TLS resolved; for tests too. */
    RabbitSettings settings() {
      RabbitTls security = tls != null ? tls : amqpsUri ? RabbitTls.builder().build() : null;
      int resolvedPort =
          security != null && !given.containsKey("uri") && !given.containsKey("port")
              ? ConnectionFactory.DEFAULT_AMQP_OVER_SSL_PORT
              : port;
      return new RabbitSettings(
          host,
          resolvedPort,
          virtualHost,
          username,
          password,
          queueType,
          confirmWindow,
          publishTimeout,
          connectionName,
          recoveryInterval,
          security);
    }

    private void address(String setting, String shown) {
      if (given.containsKey("uri")) {
        throw new IllegalStateException(
            setting
                + "("
                + shown
                + ") conflicts with uri("
                + given.get("uri")
                + ")"
                + ADDRESS_CONFLICT);
      }
      once(setting, shown);
    }

    private void once(String setting, String shown) {
      @Nullable String previous = given.putIfAbsent(setting, shown);
      if (previous != null) {
        throw new IllegalStateException(
            setting + " was already set to " + previous + "; it cannot be set again to " + shown);
      }
    }

    private static void requirePositive(Duration d, String what) {
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(what + " must be positive, was " + d);
      }
    }
  }
}
