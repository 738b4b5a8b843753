package dev.switchboard.messaging.memory;

import dev.switchboard.messaging.DestinationNotFoundException;
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
import dev.switchboard.messaging.time.Scheduler;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A transport inside one JVM with the semantics of the broker transports: every group of a topic
 * gets every message, consumers of a group compete, messages with the same key are handled in
 * order, unsettled messages go back to their group when a consumer closes, redelivery waits on the
 * scheduler, and each group has its own dead-letter queue. Nothing survives the JVM.
 *
 * <p>Give it the same {@link Scheduler} as the {@code Messaging} on top (a {@code VirtualTime} in
 * tests) so that delayed redelivery follows the same clock as retries and timeouts.
 *
 * <p>Publishing to a topic with no subscriber group fails with {@code
 * DestinationNotFoundException}, as it does on RabbitMQ, because nothing would receive the message;
 * a work queue keeps its messages until a worker takes them.
 */
public final class InMemoryTransport implements Transport {
  private static final Set<Capability> CAPABILITIES =
      EnumSet.of(
          Capability.ORDER_PER_KEY,
          Capability.ARBITRARY_REDELIVERY_DELAY,
          Capability.BROKER_DELIVERY_COUNT);

  private final Scheduler scheduler;
  private final int lanes;
  private final Map<String, Map<String, MemoryGroup>> topics = new ConcurrentHashMap<>();
  private final Map<String, MemoryGroup> queues = new ConcurrentHashMap<>();
  private final Map<String, ReplyHandler> replyEndpoints = new ConcurrentHashMap<>();
  private final Set<MemoryConsumer> consumers = ConcurrentHashMap.newKeySet();
  private final ExecutorService replyDispatch;
  private volatile boolean closed;

  private InMemoryTransport(Builder b) {
    this.scheduler = b.scheduler;
    this.lanes = b.lanes;
    this.replyDispatch =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "switchboard-memory-replies");
              t.setDaemon(true);
              return t;
            });
  }

  /** An in-memory transport on the system scheduler. */
  public static InMemoryTransport create() {
    return builder().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * A connection to this transport for one simulated process. Several {@code Messaging} instances,
   * each on its own connection, share topics, queues and dead letters as separate services share a
   * broker; closing one (its {@code Messaging}) closes only what it opened.
   */
  public Transport connect() {
    return new MemoryConnection(this);
  }

  @Override
  public String name() {
    return "memory";
  }

  @Override
  public Set<Capability> capabilities() {
    return CAPABILITIES;
  }

  @Override
  public CompletableFuture<Void> send(Destination destination, WireMessage message) {
    if (closed) {
      return CompletableFuture.failedFuture(new TransportException("transport is closed"));
    }
    if (destination.kind() == Destination.Kind.QUEUE) {
      queue(destination.name()).offer(message);
    } else {
      Map<String, MemoryGroup> groups = topics.get(destination.name());
      if (groups == null || groups.isEmpty()) {
        return CompletableFuture.failedFuture(
            new DestinationNotFoundException(
                destination.name(),
                "topic '"
                    + destination.name()
                    + "' has no subscriber group, so nothing would"
                    + " receive the message; subscribe a group first"));
      }
      for (MemoryGroup g : groups.values()) {
        g.offer(message);
      }
    }
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public CompletableFuture<Void> reply(String replyAddress, WireMessage message) {
    ReplyHandler handler = replyEndpoints.get(replyAddress);
    if (closed) {
      return CompletableFuture.failedFuture(new TransportException("transport is closed"));
    }
    if (handler == null) {
      return CompletableFuture.failedFuture(
          new DestinationNotFoundException(
              replyAddress, "no reply endpoint '" + replyAddress + "' is open"));
    }
    replyDispatch.execute(() -> handler.onReply(message));
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public void declare(Destination destination) {
    if (destination.kind() == Destination.Kind.QUEUE) {
      queue(destination.name());
    } else {
      topics.computeIfAbsent(destination.name(), n -> new ConcurrentHashMap<>());
    }
  }

  @Override
  public TransportConsumer consume(ConsumerSpec spec, DeliveryHandler handler) {
    return consume(spec, handler, c -> {});
  }

  TransportConsumer consume(
      ConsumerSpec spec,
      DeliveryHandler handler,
      java.util.function.Consumer<TransportConsumer> alsoOnClose) {
    if (closed) {
      throw new TransportException("transport is closed");
    }
    MemoryGroup group = group(spec.destination(), spec.group());
    MemoryConsumer consumer =
        new MemoryConsumer(
            group,
            handler,
            spec.concurrency(),
            scheduler,
            c -> {
              consumers.remove(c);
              alsoOnClose.accept(c);
            });
    consumers.add(consumer);
    consumer.start();
    return consumer;
  }

  @Override
  public ReplyEndpoint openReplyEndpoint(ReplyHandler handler) {
    String address = "memory-reply-" + UUID.randomUUID();
    replyEndpoints.put(address, handler);
    return new ReplyEndpoint() {
      @Override
      public String address() {
        return address;
      }

      @Override
      public void close() {
        replyEndpoints.remove(address);
      }
    };
  }

  @Override
  public DeadLetterStore deadLetters(Destination destination, String group) {
    return group(destination, group).deadLetters();
  }

  /** Messages waiting in a group (not counting those being handled), for tests. */
  public int depth(Destination destination, String group) {
    return group(destination, group).depth();
  }

  @Override
  public void close(Duration timeout) {
    closed = true;
    for (MemoryConsumer c : consumers) {
      c.close(timeout);
    }
    replyDispatch.shutdown();
  }

  private MemoryGroup queue(String name) {
    return queues.computeIfAbsent(name, n -> new MemoryGroup(Destination.queue(n), n, lanes));
  }

  private MemoryGroup group(Destination destination, String group) {
    if (destination.kind() == Destination.Kind.QUEUE) {
      return queue(destination.name());
    }
    return topics
        .computeIfAbsent(destination.name(), n -> new ConcurrentHashMap<>())
        .computeIfAbsent(group, g -> new MemoryGroup(destination, g, lanes));
  }

  /** Builds an {@link InMemoryTransport}. */
  public static final class Builder {
    private Scheduler scheduler = Scheduler.system();
    private int lanes = 64;

    private Builder() {}

    /** The scheduler delayed redeliveries wait on; share it with {@code Messaging}. */
    public Builder scheduler(Scheduler scheduler) {
      this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
      return this;
    }

    /**
     * How many ordering lanes each group has: keys hash onto lanes, and a lane hands out one
     * message at a time. More lanes, more parallelism across keys; default 64.
     */
    public Builder lanes(int lanes) {
      if (lanes < 1) {
        throw new IllegalArgumentException("lanes must be >= 1, was " + lanes);
      }
      this.lanes = lanes;
      return this;
    }

    public InMemoryTransport build() {
      return new InMemoryTransport(this);
    }
  }
}
