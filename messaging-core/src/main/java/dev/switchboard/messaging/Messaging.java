package dev.switchboard.messaging;

import dev.switchboard.messaging.codec.Codec;
import dev.switchboard.messaging.codec.JsonCodec;
import dev.switchboard.messaging.codec.TypeRegistry;
import dev.switchboard.messaging.spi.Destination;
import dev.switchboard.messaging.spi.Transport;
import dev.switchboard.messaging.spi.WireMessage;
import dev.switchboard.messaging.time.Scheduler;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The entry point: publish-subscribe, work queues and request-reply over one {@link Transport}.
 * Thread-safe; create one per application and close it on shutdown.
 *
 * <pre>{@code
 * Messaging messaging = Messaging.builder()
 *     .transport(InMemoryTransport.create())
 *     .register("OrderPlaced", OrderPlaced.class)
 *     .source("order-service")
 *     .build();
 * messaging.subscribe("orders", "billing", OrderPlaced.class, (order, ctx) -> bill(order));
 * messaging.publish("orders", new OrderPlaced(...), SendOptions.key(orderId)).join();
 * }</pre>
 *
 * <p>Every publish, send and request completes its future only when the transport has durably
 * accepted the message, and fails it with a {@link MessagingException} subtype otherwise; nothing
 * fails silently. Inside a handler, outgoing messages inherit the handled message's id as their
 * causation id, and requests inherit its remaining deadline.
 */
public final class Messaging implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Messaging.class);

  private final Engine engine;
  private final RequestClient requests;
  private final List<ManagedConsumer<?>> consumers = new CopyOnWriteArrayList<>();
  private final @Nullable ExecutorService ownedExecutor;
  private final java.util.Map<String, RequestPolicy> requestPolicies;
  private volatile boolean closed;

  private Messaging(Builder b) {
    Scheduler scheduler = b.scheduler != null ? b.scheduler : Scheduler.system();
    ExecutorService owned = null;
    java.util.concurrent.Executor executor = b.executor;
    if (executor == null) {
      AtomicInteger n = new AtomicInteger();
      owned =
          Executors.newCachedThreadPool(
              r -> {
                Thread t = new Thread(r, "switchboard-retry-" + n.incrementAndGet());
                t.setDaemon(true);
                return t;
              });
      executor = owned;
    }
    this.ownedExecutor = owned;
    this.requestPolicies = java.util.Map.copyOf(b.requestPolicies);
    Payloads payloads = new Payloads(b.types.build(), b.json, b.codecs, b.maxPayloadBytes);
    this.engine =
        new Engine(
            Objects.requireNonNull(b.transport, "transport"),
            payloads,
            new HeaderLimits(b.maxHeaders, b.maxHeaderBytes),
            scheduler,
            scheduler.clock(),
            executor,
            b.listener,
            b.source);
    this.requests = new RequestClient(engine, b.maxPendingRequests, b.nestedMargin);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The transport underneath, for its name and capabilities. */
  public Transport transport() {
    return engine.transport();
  }

  /** The type registry in use. */
  public TypeRegistry types() {
    return engine.payloads().types();
  }

  // ---- publish-subscribe ----

  /** Publishes an event to every subscriber group of {@code topic}. */
  public CompletableFuture<Envelope> publish(String topic, Object value) {
    return publish(topic, value, SendOptions.none());
  }

  /** Publishes with a key, headers or a deadline. */
  public CompletableFuture<Envelope> publish(String topic, Object value, SendOptions options) {
    return send(Destination.topic(topic), value, options);
  }

  /**
   * Subscribes {@code group} to {@code topic}. Every group receives every message; consumers of the
   * same group on any number of processes compete for them.
   */
  public <T> Subscription subscribe(
      String topic, String group, Class<T> type, MessageHandler<T> handler) {
    return subscribe(topic, group, type, handler, ConsumerOptions.defaults());
  }

  public <T> Subscription subscribe(
      String topic,
      String group,
      Class<T> type,
      MessageHandler<T> handler,
      ConsumerOptions options) {
    return start(Destination.topic(topic), group, type, adapt(handler), options, false);
  }

  // ---- work queues ----

  /** Sends a job to {@code queue}; one of its workers will handle it. */
  public CompletableFuture<Envelope> send(String queue, Object value) {
    return send(queue, value, SendOptions.none());
  }

  public CompletableFuture<Envelope> send(String queue, Object value, SendOptions options) {
    return send(Destination.queue(queue), value, options);
  }

  /**
   * Starts workers on {@code queue}: {@code options.concurrency()} handlers at once in this
   * process, competing with workers in other processes. A job is acknowledged only after its
   * handler returns.
   */
  public <T> Subscription consume(
      String queue, Class<T> type, MessageHandler<T> handler, ConsumerOptions options) {
    return start(Destination.queue(queue), queue, type, adapt(handler), options, false);
  }

  public <T> Subscription consume(String queue, Class<T> type, MessageHandler<T> handler) {
    return consume(queue, type, handler, ConsumerOptions.defaults());
  }

  // ---- request-reply ----

  /**
   * Sends a request to the responders of {@code destination} and returns the future reply. The
   * future fails with {@link RequestTimeoutException} when no reply arrives within {@code timeout}
   * (or the inherited deadline, if sooner), with {@link RemoteErrorException} when the responder
   * failed, and with {@link BulkheadFullException} at once when too many requests are in flight. It
   * never completes with null.
   *
   * <p>Dependent stages without an executor run on a transport thread: use the {@code *Async}
   * variants for slow work.
   */
  public <R> CompletableFuture<R> request(
      String destination, Object value, Class<R> replyType, Duration timeout) {
    return request(destination, value, replyType, timeout, SendOptions.none());
  }

  public <R> CompletableFuture<R> request(
      String destination, Object value, Class<R> replyType, Duration timeout, SendOptions options) {
    requireOpen();
    Destination.requireName(destination, "destination");
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout must be positive, was " + timeout);
    }
    return requests.request(
        destination, value, replyType, timeout, options, requestPolicies.get(destination));
  }

  /**
   * Answers requests sent to {@code destination}. Responders on any number of processes compete. A
   * request already past its deadline is not handled and gets no reply.
   */
  public <T, R> Subscription respond(
      String destination, Class<T> type, RequestHandler<T, R> handler) {
    return respond(destination, type, handler, ConsumerOptions.defaults());
  }

  public <T, R> Subscription respond(
      String destination, Class<T> type, RequestHandler<T, R> handler, ConsumerOptions options) {
    return start(
        Destination.queue(destination),
        destination,
        type,
        new Responder<>(engine, handler),
        options,
        true);
  }

  // ---- dead letters ----

  /** The dead-letter queue of {@code group} on {@code topic}. */
  public DeadLetters deadLetters(String topic, String group) {
    return new DeadLettersImpl(
        engine.transport().deadLetters(Destination.topic(topic), group),
        topic + "/" + group,
        engine.clock());
  }

  /** The dead-letter queue of a work queue. */
  public DeadLetters queueDeadLetters(String queue) {
    return new DeadLettersImpl(
        engine.transport().deadLetters(Destination.queue(queue), queue), queue, engine.clock());
  }

  /**
   * Decodes a dead letter's original payload with this instance's type registry and codecs, for
   * inspecting it before a redrive.
   *
   * @throws DecodeException if the bytes cannot be decoded as {@code type} (often the very reason
   *     the message was dead-lettered)
   */
  public <T> T decode(DeadLetter deadLetter, Class<T> type) {
    return engine.payloads().decode(deadLetter.envelope(), deadLetter.payloadBytes(), type);
  }

  // ---- lifecycle ----

  /** Requests waiting for a reply right now. */
  public int pendingRequests() {
    return requests.pendingCount();
  }

  /** Replies dropped because no request was waiting for them (late, duplicate or unknown). */
  public long droppedReplies() {
    return requests.droppedReplies();
  }

  /** Every consumer started by this instance and not yet closed. */
  public List<Subscription> subscriptions() {
    return List.copyOf(consumers);
  }

  /**
   * Drains every consumer (in parallel, within {@code timeout} overall), then fails pending
   * requests, then closes the transport, which flushes publishes. Returns the consumers' reports.
   */
  public List<DrainReport> drain(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    List<CompletableFuture<DrainReport>> reports = new ArrayList<>();
    for (ManagedConsumer<?> c : consumers) {
      CompletableFuture<DrainReport> report = new CompletableFuture<>();
      Thread t =
          new Thread(
              () -> {
                try {
                  report.complete(c.drain(timeout));
                } catch (RuntimeException e) {
                  report.completeExceptionally(e);
                }
              },
              "switchboard-drain-" + c.destination());
      t.setDaemon(true);
      t.start();
      reports.add(report);
    }
    List<DrainReport> out = new ArrayList<>();
    for (CompletableFuture<DrainReport> r : reports) {
      out.add(r.join());
    }
    consumers.clear();
    shutdown(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
    return out;
  }

  /** Closes every consumer at once (unsettled messages go back to the broker), then the rest. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    for (ManagedConsumer<?> c : consumers) {
      c.close();
    }
    consumers.clear();
    shutdown(Duration.ofSeconds(10));
  }

  private void shutdown(Duration timeout) {
    if (closed) {
      return;
    }
    closed = true;
    requests.close();
    engine.transport().close(timeout.isZero() ? Duration.ofSeconds(1) : timeout);
    if (ownedExecutor != null) {
      ownedExecutor.shutdown();
    }
    LOG.info("messaging on {} closed", engine.transport().name());
  }

  private CompletableFuture<Envelope> send(
      Destination destination, Object value, SendOptions options) {
    if (closed) {
      return CompletableFuture.failedFuture(new TransportException("messaging is closed"));
    }
    Objects.requireNonNull(value, "value");
    WireMessage message;
    try {
      engine.headerLimits().checkOutgoing(destination.name(), options.headers());
      message = outgoing(destination.name(), value, options);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
    Envelope envelope = message.envelope();
    CompletableFuture<Void> sent = engine.transport().send(destination, message);
    if (sent.isDone() && !sent.isCompletedExceptionally()) {
      // Transports that complete at once (in memory) skip the dependent stage and its lambda.
      return CompletableFuture.completedFuture(envelope);
    }
    return sent.thenApply(ok -> envelope);
  }

  private WireMessage outgoing(String destination, Object value, SendOptions options) {
    Payloads.Encoded encoded = engine.payloads().encode(destination, value);
    Instant now = engine.clock().instant();
    Envelope.Builder b =
        Envelope.builder()
            .type(encoded.type())
            .contentType(encoded.contentType())
            .source(engine.source())
            .time(now)
            .headers(options.headers())
            .key(options.key().orElse(null));
    options.id().ifPresent(b::id);
    options.deadline().ifPresent(b::deadline);
    options.ttl().ifPresent(ttl -> b.deadline(now.plus(ttl)));
    HandlerContext caller = HandlerContext.current();
    if (caller != null) {
      b.causationId(caller.envelope().id());
      caller.envelope().correlationId().ifPresent(b::correlationId);
    }
    options.causationId().ifPresent(b::causationId);
    return new WireMessage(b.build(), encoded.body());
  }

  private <T> Subscription start(
      Destination destination,
      String group,
      Class<T> type,
      Invocation<T> invocation,
      ConsumerOptions options,
      boolean responder) {
    requireOpen();
    Objects.requireNonNull(type, "type");
    ManagedConsumer<T> c =
        new ManagedConsumer<>(engine, destination, group, type, invocation, options, responder);
    consumers.add(c);
    c.onClose(() -> consumers.remove(c));
    try {
      c.start();
    } catch (RuntimeException e) {
      consumers.remove(c);
      throw e;
    }
    return c;
  }

  private static <T> Invocation<T> adapt(MessageHandler<T> handler) {
    Objects.requireNonNull(handler, "handler");
    return (value, context) -> {
      handler.handle(value, context);
      return ManagedConsumer.done();
    };
  }

  private void requireOpen() {
    if (closed) {
      throw new IllegalStateException("messaging is closed");
    }
  }

  /** Builds a {@link Messaging}. Only the transport is required. */
  public static final class Builder {
    private @Nullable Transport transport;
    private final TypeRegistry.Builder types = TypeRegistry.builder();
    private Codec json = JsonCodec.create();
    private final List<Codec> codecs = new ArrayList<>();
    private String source = "";
    private @Nullable Scheduler scheduler;
    private java.util.concurrent.@Nullable Executor executor;
    private MessagingListener listener = MessagingListener.logging();
    private int maxPayloadBytes = 1 << 20;
    private int maxHeaders = HeaderLimits.DEFAULT_COUNT;
    private int maxHeaderBytes = HeaderLimits.DEFAULT_BYTES;
    private int maxPendingRequests = 10_000;
    private Duration nestedMargin = Duration.ofMillis(50);
    private final java.util.Map<String, RequestPolicy> requestPolicies = new java.util.HashMap<>();
    private final Set<String> given = new LinkedHashSet<>();

    private Builder() {}

    /**
     * Protects requests to {@code destination} with a circuit breaker and retries; see {@link
     * RequestPolicy}. One policy per destination.
     */
    public Builder requestPolicy(String destination, RequestPolicy policy) {
      Destination.requireName(destination, "destination");
      if (requestPolicies.putIfAbsent(destination, Objects.requireNonNull(policy, "policy"))
          != null) {
        throw new IllegalStateException(
            "a request policy for '" + destination + "' is already set");
      }
      return this;
    }

    public Builder transport(Transport transport) {
      once("transport");
      this.transport = Objects.requireNonNull(transport, "transport");
      return this;
    }

    /** Maps a logical type name to a class, both ways. */
    public Builder register(String typeName, Class<?> type) {
      types.register(typeName, type);
      return this;
    }

    public Builder types(TypeRegistry registry) {
      types.registerAll(registry);
      return this;
    }

    /** Replaces the JSON codec, for a mapper with custom modules. */
    public Builder json(Codec json) {
      once("json");
      this.json = Objects.requireNonNull(json, "json");
      return this;
    }

    /** Adds a codec for another content type. */
    public Builder codec(Codec codec) {
      codecs.add(Objects.requireNonNull(codec, "codec"));
      return this;
    }

    /** The name written as the source of every message (CloudEvents {@code source}). */
    public Builder source(String source) {
      once("source");
      this.source = Objects.requireNonNull(source, "source");
      return this;
    }

    /** The clock and timer behind every delay and timeout; {@code VirtualTime} in tests. */
    public Builder scheduler(Scheduler scheduler) {
      once("scheduler");
      this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
      return this;
    }

    /** Where in-process retries run; a cached daemon pool by default. */
    public Builder executor(java.util.concurrent.Executor executor) {
      once("executor");
      this.executor = Objects.requireNonNull(executor, "executor");
      return this;
    }

    public Builder listener(MessagingListener listener) {
      once("listener");
      this.listener = Objects.requireNonNull(listener, "listener");
      return this;
    }

    /** The largest encoded payload accepted at publish; 1 MiB by default. */
    public Builder maxPayloadBytes(int maxPayloadBytes) {
      once("maxPayloadBytes");
      if (maxPayloadBytes < 1) {
        throw new IllegalArgumentException("maxPayloadBytes must be >= 1, was " + maxPayloadBytes);
      }
      this.maxPayloadBytes = maxPayloadBytes;
      return this;
    }

    /**
     * The most user headers a message may carry; 1 000 by default, from 0. A publish, send or
     * request over it fails its future with {@link HeadersTooLargeException} and sends nothing.
     *
     * <p>A consumer applies the same limit, plus a headroom of 16 for the headers the toolkit adds
     * on a message's way (retry, redrive), to what it receives: a message from another producer
     * over it is dead-lettered unhandled with reason {@link FailureReason#HEADER_LIMIT}. The
     * default leaves room for any reasonable use (tracing and routing take a handful) while
     * bounding what one message can make a consumer read and keep.
     */
    public Builder maxHeaders(int maxHeaders) {
      once("maxHeaders");
      if (maxHeaders < 0) {
        throw new IllegalArgumentException("maxHeaders must be >= 0, was " + maxHeaders);
      }
      this.maxHeaders = maxHeaders;
      return this;
    }

    /**
     * The most UTF-8 bytes that a message's user header names and values may take together; 80 KiB
     * (81 920) by default, from 0. Enforced like {@link #maxHeaders(int)}, with a headroom of 4 KiB
     * at consume.
     *
     * <p>Why 80 KiB: RabbitMQ carries all headers of a message in one frame, 128 KiB by default
     * ({@code frame_max}), and a dead letter adds a failure envelope of up to about 32 KiB (a
     * clipped message, root message and stack trace). A message at both default limits still fits
     * that frame as a dead letter; at 96 KiB its dead letter would need about 133 KiB and could
     * never be published, so a larger limit buys nothing there. It still fits a 64 KiB header value
     * with room to spare.
     */
    public Builder maxHeaderBytes(int maxHeaderBytes) {
      once("maxHeaderBytes");
      if (maxHeaderBytes < 0) {
        throw new IllegalArgumentException("maxHeaderBytes must be >= 0, was " + maxHeaderBytes);
      }
      this.maxHeaderBytes = maxHeaderBytes;
      return this;
    }

    /** The bulkhead: requests in flight at once before new ones fail fast; 10 000 by default. */
    public Builder maxPendingRequests(int maxPendingRequests) {
      once("maxPendingRequests");
      if (maxPendingRequests < 1) {
        throw new IllegalArgumentException(
            "maxPendingRequests must be >= 1, was " + maxPendingRequests);
      }
      this.maxPendingRequests = maxPendingRequests;
      return this;
    }

    /**
     * How much of the remaining budget a nested request leaves to its caller: a request made in a
     * handler gets the handled message's deadline minus this margin; 50 ms by default.
     */
    public Builder nestedRequestMargin(Duration margin) {
      once("nestedRequestMargin");
      if (Objects.requireNonNull(margin, "margin").isNegative()) {
        throw new IllegalArgumentException("margin must not be negative, was " + margin);
      }
      this.nestedMargin = margin;
      return this;
    }

    public Messaging build() {
      if (transport == null) {
        throw new IllegalStateException(
            "a transport is required: Messaging.builder().transport(InMemoryTransport.create())");
      }
      return new Messaging(this);
    }

    private void once(String setting) {
      if (!given.add(setting)) {
        throw new IllegalStateException(setting + " is already set on this Messaging builder");
      }
    }
  }
}
