package dev.switchboard.rabbit;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.BuiltinExchangeType;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.ShutdownSignalException;
import dev.switchboard.messaging.ConfigurationException;
import dev.switchboard.messaging.MessagingException;
import dev.switchboard.messaging.TransportException;
import dev.switchboard.messaging.spi.ConsumerSpec;
import dev.switchboard.messaging.spi.Destination;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;

/**
 * Names and declares exchanges and queues (see {@link RabbitTransport} for the layout).
 *
 * <p>Every declaration is idempotent on the broker and remembered here, in order, so that it is
 * sent once per transport and replayed after the consuming connection recovers. Declarations run on
 * a short-lived channel of the consuming connection, because a refused declaration closes its
 * channel.
 */
final class Topology {
  static final int MAX_NAME_BYTES = 255;
  static final String DEAD_LETTER_SUFFIX = ".dlq";
  static final int MAX_DELAY_MILLIS = Integer.MAX_VALUE;
  static final Duration MAX_DELAY = Duration.ofMillis(MAX_DELAY_MILLIS);

  private final RabbitSettings settings;
  private final RabbitConnections connections;
  private final Set<Decl> declared = Collections.synchronizedSet(new LinkedHashSet<>());

  Topology(RabbitSettings settings, RabbitConnections connections) {
    this.settings = settings;
    this.connections = connections;
  }

  /** One thing declared on the broker. */
  sealed interface Decl permits ExchangeDecl, QueueDecl, BindingDecl {}

  record ExchangeDecl(String name) implements Decl {}

  record QueueDecl(String name, Map<String, Object> arguments) implements Decl {}

  record BindingDecl(String queue, String exchange) implements Decl {}

  static String groupQueue(Destination destination, String group) {
    String name =
        destination.kind() == Destination.Kind.TOPIC
            ? destination.name() + "." + group
            : destination.name();
    requireFits(name + DEAD_LETTER_SUFFIX, "the dead-letter queue of " + destination);
    return name;
  }

  static String deadLetterQueue(String groupQueue) {
    return groupQueue + DEAD_LETTER_SUFFIX;
  }

  static String waitQueue(String groupQueue, long millis) {
    String name = groupQueue + ".wait." + millis + "ms";
    requireFits(name, "a wait queue of '" + groupQueue + "'");
    return name;
  }

  static int utf8Length(String s) {
    return s.getBytes(StandardCharsets.UTF_8).length;
  }

  /** Declares the fan-out exchange of a topic. */
  void declareExchange(String topic) {
    declare(List.of(new ExchangeDecl(topic)), false);
  }

  /**
   * Declares a work queue and its dead-letter queue, as its consumers will; wait queues depend on
   * the consumers' retry policy and are left to them.
   */
  void declareWorkQueue(String name) {
    String queue = groupQueue(Destination.queue(name), name);
    declare(
        List.of(
            new QueueDecl(queue, queueArguments()),
            new QueueDecl(deadLetterQueue(queue), queueArguments())),
        false);
  }

  /** Declares everything one consumer group needs and returns its routes. */
  GroupTopology declareGroup(ConsumerSpec spec) {
    Destination d = spec.destination();
    String queue = groupQueue(d, spec.group());
    List<Decl> decls = new ArrayList<>();
    if (d.kind() == Destination.Kind.TOPIC) {
      decls.add(new ExchangeDecl(d.name()));
    }
    decls.add(new QueueDecl(queue, queueArguments()));
    if (d.kind() == Destination.Kind.TOPIC) {
      decls.add(new BindingDecl(queue, d.name()));
    }
    String dlq = deadLetterQueue(queue);
    decls.add(new QueueDecl(dlq, queueArguments()));
    NavigableMap<Long, Route> waits = new TreeMap<>();
    for (Duration delay : spec.redeliveryDelays()) {
      long millis = delayMillis(delay);
      String wait = waitQueue(queue, millis);
      if (waits.putIfAbsent(millis, Route.queue(wait, Route.Kind.WAIT_QUEUE)) == null) {
        decls.add(new QueueDecl(wait, waitArguments(queue, millis)));
      }
    }
    declare(decls, false);
    return new GroupTopology(
        spec,
        queue,
        Route.queue(queue, Route.Kind.GROUP_QUEUE),
        Route.queue(dlq, Route.Kind.DEAD_LETTER_QUEUE),
        Collections.unmodifiableNavigableMap(waits),
        List.copyOf(decls));
  }

  /** Declares a group's topology again, even if it was declared before. */
  void redeclare(GroupTopology group) {
    declare(group.declarations(), true);
  }

  /** Replays every declaration, after the consuming connection recovered. */
  void redeclareAll() {
    List<Decl> all;
    synchronized (declared) {
      all = new ArrayList<>(declared);
    }
    declare(all, true);
  }

  /** Everything declared so far, in order. */
  List<Decl> declarations() {
    synchronized (declared) {
      return List.copyOf(declared);
    }
  }

  static long delayMillis(Duration delay) {
    long millis = Math.max(1, delay.toMillis() + (delay.toNanosPart() % 1_000_000 > 0 ? 1 : 0));
    if (millis > MAX_DELAY_MILLIS) {
      throw new ConfigurationException(
          "redelivery delay " + delay + " is longer than RabbitMQ's message TTL limit (24 days)");
    }
    return millis;
  }

  private Map<String, Object> queueArguments() {
    return Map.of("x-queue-type", settings.quorum() ? "quorum" : "classic");
  }

  private Map<String, Object> waitArguments(String groupQueue, long millis) {
    Map<String, Object> args = new LinkedHashMap<>();
    args.put("x-queue-type", settings.quorum() ? "quorum" : "classic");
    args.put("x-message-ttl", (int) millis);
    args.put("x-dead-letter-exchange", "");
    args.put("x-dead-letter-routing-key", groupQueue);
    if (settings.quorum()) {
      args.put("x-dead-letter-strategy", "at-least-once");
      args.put("x-overflow", "reject-publish");
    }
    return Collections.unmodifiableMap(args);
  }

  private void declare(List<Decl> decls, boolean force) {
    List<Decl> todo = new ArrayList<>(decls.size());
    for (Decl d : decls) {
      if (force || !declared.contains(d)) {
        todo.add(d);
      }
    }
    if (todo.isEmpty()) {
      return;
    }
    Channel channel;
    try {
      channel = connections.openChannel(RabbitConnections.Role.CONSUME);
    } catch (IOException | RuntimeException e) {
      throw new TransportException(
          "cannot declare "
              + describe(todo.get(0))
              + ": no connection to "
              + settings.brokerUri()
              + " ("
              + e
              + ")",
          e);
    }
    try {
      for (Decl d : todo) {
        try {
          apply(channel, d);
        } catch (IOException | ShutdownSignalException e) {
          throw refused(d, e);
        }
        declared.add(d);
      }
    } finally {
      ConfirmingPublisher.closeQuietly(channel);
    }
  }

  private static void apply(Channel ch, Decl d) throws IOException {
    if (d instanceof ExchangeDecl x) {
      ch.exchangeDeclare(x.name(), BuiltinExchangeType.FANOUT, true);
    } else if (d instanceof QueueDecl q) {
      ch.queueDeclare(q.name(), true, false, false, q.arguments());
    } else if (d instanceof BindingDecl b) {
      ch.queueBind(b.queue(), b.exchange(), "");
    }
  }

  private MessagingException refused(Decl d, Exception e) {
    Throwable cause = e instanceof ShutdownSignalException ? e : e.getCause();
    if (cause instanceof ShutdownSignalException sig
        && sig.getReason() instanceof AMQP.Channel.Close close) {
      if (close.getReplyCode() == AMQP.PRECONDITION_FAILED) {
        return new ConfigurationException(
            describe(d)
                + " already exists with other settings ("
                + close.getReplyText()
                + "); delete it, or configure queueType(..) to match it",
            e);
      }
      if (close.getReplyCode() == AMQP.ACCESS_REFUSED) {
        return new ConfigurationException(
            "the broker refused to declare "
                + describe(d)
                + " ("
                + close.getReplyText()
                + "); grant the user configure permission on the virtual host",
            e);
      }
    }
    return new TransportException(
        "declaring " + describe(d) + " on " + settings.brokerUri() + " failed: " + e, e);
  }

  private static String describe(Decl d) {
    if (d instanceof ExchangeDecl x) {
      return "exchange '" + x.name() + "'";
    }
    if (d instanceof QueueDecl q) {
      return "queue '" + q.name() + "'";
    }
    BindingDecl b = (BindingDecl) d;
    return "the binding of queue '" + b.queue() + "' to exchange '" + b.exchange() + "'";
  }

  private static void requireFits(String name, String what) {
    int bytes = utf8Length(name);
    if (bytes > MAX_NAME_BYTES) {
      throw new ConfigurationException(
          what
              + " would be named '"
              + name
              + "' ("
              + bytes
              + " bytes), over RabbitMQ's limit of 255; use shorter destination or group names");
    }
  }
}
