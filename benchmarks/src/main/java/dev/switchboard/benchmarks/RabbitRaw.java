package dev.switchboard.benchmarks;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.BuiltinExchangeType;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.MessageProperties;
import dev.switchboard.messaging.spi.Destination;
import java.io.IOException;
import java.time.Duration;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentNavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * The raw RabbitMQ baseline: persistent messages on a confirming channel, quorum queues like the
 * transport's, manual acknowledgements one by one with the same prefetch, and direct reply-to for
 * requests. A topic is a fan-out exchange with one bound queue, {@code <topic>.raw}.
 */
final class RabbitRaw implements RawClient {
  static final String HOST = "127.0.0.1";
  static final int PORT = 5672;
  private static final String REPLY_TO = "amq.rabbitmq.reply-to";
  private static final Map<String, Object> QUORUM = Map.of("x-queue-type", "quorum");

  private final Connection connection;
  private final Channel publishing;
  private final ConcurrentNavigableMap<Long, Window> unconfirmed = new ConcurrentSkipListMap<>();
  private final AtomicLong ids = new AtomicLong();

  RabbitRaw() throws Exception {
    ConnectionFactory factory = new ConnectionFactory();
    factory.setHost(HOST);
    factory.setPort(PORT);
    this.connection = factory.newConnection("switchboard-bench-raw");
    this.publishing = connection.createChannel();
    publishing.confirmSelect();
    publishing.addConfirmListener(
        (tag, multiple) -> settle(tag, multiple, true),
        (tag, multiple) -> settle(tag, multiple, false));
  }

  private void settle(long tag, boolean multiple, boolean ok) {
    if (multiple) {
      ConcurrentNavigableMap<Long, Window> done = unconfirmed.headMap(tag, true);
      for (Window w : done.values()) {
        finish(w, ok);
      }
      done.clear();
    } else {
      Window w = unconfirmed.remove(tag);
      if (w != null) {
        finish(w, ok);
      }
    }
  }

  private static void finish(Window w, boolean ok) {
    if (ok) {
      w.complete();
    } else {
      w.fail();
    }
  }

  /** Declares what a raw side uses: a quorum queue, or a fan-out exchange and its raw queue. */
  void declare(Destination destination) throws IOException {
    try (Channel ch = open()) {
      if (destination.kind() == Destination.Kind.QUEUE) {
        ch.queueDeclare(destination.name(), true, false, false, QUORUM);
      } else {
        ch.exchangeDeclare(destination.name(), BuiltinExchangeType.FANOUT, true);
        ch.queueDeclare(rawQueue(destination), true, false, false, QUORUM);
        ch.queueBind(rawQueue(destination), destination.name(), "");
      }
    } catch (java.util.concurrent.TimeoutException e) {
      throw new IOException(e);
    }
  }

  static String rawQueue(Destination topic) {
    return topic.name() + ".raw";
  }

  /** Deletes queues and exchanges by name; missing ones are fine. */
  void delete(Iterable<String> queues, Iterable<String> exchanges) throws Exception {
    for (String q : queues) {
      try (Channel ch = open()) {
        ch.queueDelete(q);
      } catch (IOException e) {
        System.err.println("could not delete queue " + q + ": " + e);
      }
    }
    for (String x : exchanges) {
      try (Channel ch = open()) {
        ch.exchangeDelete(x);
      } catch (IOException e) {
        // already gone
      }
    }
  }

  /** Empties a queue between runs. */
  void purge(String queue) throws Exception {
    try (Channel ch = open()) {
      ch.queuePurge(queue);
    }
  }

  private Channel open() throws IOException {
    return connection.createChannel();
  }

  @Override
  public void send(Destination destination, byte[] body, Window window) {
    publish(destination, MessageProperties.PERSISTENT_BASIC, body, window);
  }

  /** As the transport writes them: the headers in the table, the well-known ones as properties. */
  @Override
  public void send(
      Destination destination, byte[] body, Map<String, String> headers, Window window) {
    Map<String, Object> table = new LinkedHashMap<>(headers);
    AMQP.BasicProperties props =
        new AMQP.BasicProperties.Builder()
            .deliveryMode(2)
            .messageId(headers.get("ce_id"))
            .timestamp(new Date())
            .contentType(headers.get("content-type"))
            .type(headers.get("ce_type"))
            .appId(headers.get("ce_source"))
            .headers(table)
            .build();
    publish(destination, props, body, window);
  }

  private void publish(
      Destination destination, AMQP.BasicProperties props, byte[] body, Window window) {
    boolean queue = destination.kind() == Destination.Kind.QUEUE;
    try {
      synchronized (publishing) {
        unconfirmed.put(publishing.getNextPublishSeqNo(), window);
        publishing.basicPublish(
            queue ? "" : destination.name(), queue ? destination.name() : "", true, props, body);
      }
    } catch (IOException e) {
      window.fail();
    }
  }

  @Override
  public AutoCloseable consume(
      Destination destination, String group, int prefetch, Received onMessage) throws Exception {
    String queue =
        destination.kind() == Destination.Kind.QUEUE ? destination.name() : rawQueue(destination);
    Channel ch = open();
    ch.basicQos(prefetch);
    String tag =
        ch.basicConsume(
            queue,
            false,
            new DefaultConsumer(ch) {
              @Override
              public void handleDelivery(
                  String consumerTag, Envelope envelope, AMQP.BasicProperties props, byte[] body)
                  throws IOException {
                Map<String, Object> table = props.getHeaders();
                onMessage.accept(
                    body,
                    name -> {
                      Object value = table == null ? null : table.get(name);
                      // Header strings arrive as LongString, whose toString decodes UTF-8.
                      return value == null ? null : value.toString();
                    });
                ch.basicAck(envelope.getDeliveryTag(), false);
              }
            });
    return () -> {
      ch.basicCancel(tag);
      ch.close();
    };
  }

  @Override
  public AutoCloseable respond(String queue, int prefetch, UnaryOperator<byte[]> handler)
      throws Exception {
    Channel ch = open();
    ch.basicQos(prefetch);
    String tag =
        ch.basicConsume(
            queue,
            false,
            new DefaultConsumer(ch) {
              @Override
              public void handleDelivery(
                  String consumerTag, Envelope envelope, AMQP.BasicProperties props, byte[] body)
                  throws IOException {
                AMQP.BasicProperties reply =
                    new AMQP.BasicProperties.Builder()
                        .correlationId(props.getCorrelationId())
                        .build();
                ch.basicPublish("", props.getReplyTo(), reply, handler.apply(body));
                ch.basicAck(envelope.getDeliveryTag(), false);
              }
            });
    return () -> {
      ch.basicCancel(tag);
      ch.close();
    };
  }

  @Override
  public Requester requester() throws Exception {
    Channel ch = open();
    Correlations pending = new Correlations();
    String tag =
        ch.basicConsume(
            REPLY_TO,
            true,
            new DefaultConsumer(ch) {
              @Override
              public void handleDelivery(
                  String consumerTag, Envelope envelope, AMQP.BasicProperties props, byte[] body) {
                pending.reply(props.getCorrelationId(), body);
              }
            });
    return new Requester() {
      @Override
      public void request(String queue, byte[] body, Consumer<byte[]> onReply) {
        pending.request(onReply, (id, failed) -> publish(queue, body, id));
      }

      @Override
      public CompletableFuture<byte[]> request(String queue, byte[] body, Duration timeout) {
        return pending.request(timeout, (id, failed) -> publish(queue, body, id));
      }

      private void publish(String queue, byte[] body, String id) throws IOException {
        AMQP.BasicProperties props =
            new AMQP.BasicProperties.Builder()
                .correlationId(id)
                .replyTo(REPLY_TO)
                .deliveryMode(2)
                .build();
        synchronized (ch) {
          ch.basicPublish("", queue, true, props, body);
        }
      }

      @Override
      public void close() throws Exception {
        ch.basicCancel(tag);
        ch.close();
      }
    };
  }

  @Override
  public void close() throws Exception {
    connection.close(5_000);
  }
}
