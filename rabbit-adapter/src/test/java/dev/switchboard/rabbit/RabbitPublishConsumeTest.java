package dev.switchboard.rabbit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.impl.LongStringHelper;
import dev.switchboard.messaging.DestinationNotFoundException;
import dev.switchboard.messaging.Envelope;
import dev.switchboard.messaging.spi.Capability;
import dev.switchboard.messaging.spi.Delivery;
import dev.switchboard.messaging.spi.Destination;
import dev.switchboard.messaging.spi.TransportConsumer;
import dev.switchboard.messaging.spi.WireMessage;
import dev.switchboard.testkit.conformance.LogCheck;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Date;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class RabbitPublishConsumeTest {
  @RegisterExtension
  @Order(1)
  final LogCheck logs = new LogCheck();

  @RegisterExtension
  @Order(2)
  final RabbitScratch rabbit = new RabbitScratch();

  private static WireMessage text(String body) {
    return new WireMessage(
        Envelope.builder().type("test.text").build(), body.getBytes(StandardCharsets.UTF_8));
  }

  private static String body(Delivery d) {
    return new String(d.message().body(), StandardCharsets.UTF_8);
  }

  @Test
  void roundTripKeepsEnvelopeBodyAndHeaders() throws Exception {
    RabbitTransport transport = rabbit.transport();
    Destination queue = rabbit.queue("roundtrip");
    List<Delivery> received = new CopyOnWriteArrayList<>();
    transport.consume(
        rabbit.spec(queue, queue.name(), 1, 10),
        d -> {
          received.add(d);
          return d.ack();
        });

    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("ключ", "значение 🚀 ünïcödé");
    headers.put("empty", "");
    for (int i = 0; i < 100; i++) {
      headers.put("h" + i, "value-" + i);
    }
    Envelope sent =
        Envelope.builder()
            .type("order.created")
            .source("billing-service")
            .key("customer-ü-42")
            .correlationId("corr-1")
            .causationId("cause-1")
            .deadline(Instant.now().plusSeconds(600))
            .attempt(3)
            .contentType("application/octet-stream")
            .headers(headers)
            .build();
    byte[] bytes = {0, 1, 2, (byte) 0xff, (byte) 0xfe, 'x'};
    transport.send(queue, new WireMessage(sent, bytes)).get(10, TimeUnit.SECONDS);

    await().atMost(Duration.ofSeconds(10)).until(() -> received.size() == 1);
    Delivery d = received.get(0);
    assertThat(d.problems()).isEmpty();
    assertThat(d.message().envelope()).isEqualTo(sent);
    // AMQP field tables come back unordered from the Java client, so only the entries match.
    assertThat(d.message().envelope().headers()).hasSize(102).containsAllEntriesOf(headers);
    assertThat(d.message().body()).isEqualTo(bytes);
    assertThat(d.brokerDeliveryCount()).isEqualTo(1);
    AMQP.BasicProperties props = ((com.rabbitmq.client.Delivery) d.nativeRecord()).getProperties();
    assertThat(props.getDeliveryMode()).isEqualTo(2);
    assertThat(props.getMessageId()).isEqualTo(sent.id());
    assertThat(props.getAppId()).isEqualTo("billing-service");
    assertThat(props.getType()).isEqualTo("order.created");
    assertThat(props.getCorrelationId()).isEqualTo("corr-1");
    assertThat(props.getContentType()).isEqualTo("application/octet-stream");
    assertThat(props.getExpiration()).as("no reply-to, so not a request").isNull();
    assertThat(transport.capabilities())
        .containsExactlyInAnyOrder(Capability.BROKER_DELIVERY_COUNT, Capability.BROKER_RESTART);
  }

  @Test
  void topicFansOutToEveryGroup() throws Exception {
    RabbitTransport transport = rabbit.transport();
    Destination topic = rabbit.topic("fanout");
    Map<String, Set<String>> byGroup = new ConcurrentHashMap<>();
    for (String group : List.of("alpha", "beta")) {
      Set<String> seen = ConcurrentHashMap.newKeySet();
      byGroup.put(group, seen);
      transport.consume(
          rabbit.spec(topic, group, 2, 20),
          d -> {
            seen.add(body(d));
            return d.ack();
          });
    }

    List<CompletableFuture<Void>> sends = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      sends.add(transport.send(topic, text("m" + i)));
    }
    CompletableFuture.allOf(sends.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);

    Set<String> expected = new HashSet<>();
    IntStream.range(0, 50).forEach(i -> expected.add("m" + i));
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> byGroup.get("alpha").size() == 50 && byGroup.get("beta").size() == 50);
    assertThat(byGroup.get("alpha")).isEqualTo(expected);
    assertThat(byGroup.get("beta")).isEqualTo(expected);
  }

  @Test
  void competingConsumersShareAQueueWithoutDuplicates() throws Exception {
    RabbitTransport producer = rabbit.transport();
    Destination queue = rabbit.queue("work");
    Map<String, List<String>> byConsumer = new ConcurrentHashMap<>();
    for (String member : List.of("one", "two")) {
      List<String> got = new CopyOnWriteArrayList<>();
      byConsumer.put(member, got);
      rabbit
          .transport()
          .consume(
              rabbit.spec(queue, queue.name(), 2, 4),
              d -> {
                got.add(body(d));
                return d.ack();
              });
    }

    int n = 400;
    List<CompletableFuture<Void>> sends = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      sends.add(producer.send(queue, text("job" + i)));
    }
    CompletableFuture.allOf(sends.toArray(CompletableFuture[]::new)).get(20, TimeUnit.SECONDS);

    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> byConsumer.values().stream().mapToInt(List::size).sum() >= n);
    List<String> all = new ArrayList<>();
    byConsumer.values().forEach(all::addAll);
    assertThat(all).hasSize(n).doesNotHaveDuplicates();
    assertThat(byConsumer.get("one")).isNotEmpty();
    assertThat(byConsumer.get("two")).isNotEmpty();
    System.out.printf(
        "competing consumers: one=%d two=%d of %d%n",
        byConsumer.get("one").size(), byConsumer.get("two").size(), n);
  }

  @Test
  void sendToATopicWithNoGroupFailsFastWithDestinationNotFound() {
    RabbitTransport transport = rabbit.transport();
    Destination topic = rabbit.topic("nogroups");

    long start = System.nanoTime();
    Throwable failure = sendFailure(transport.send(topic, text("lost")));
    long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

    System.out.printf("send to a topic without groups failed after %d ms%n", millis);
    assertThat(failure)
        .isInstanceOf(DestinationNotFoundException.class)
        .hasMessageContaining(topic.name())
        .hasMessageContaining("no subscriber group");
    assertThat(((DestinationNotFoundException) failure).destination()).isEqualTo(topic.name());
    assertThat(millis).isLessThan(2000);
  }

  @Test
  void sendToAWorkQueueBeforeAnyWorkerDeclaresItAndKeepsTheJobs() throws Exception {
    RabbitTransport transport = rabbit.transport();
    Destination queue = rabbit.queue("early-jobs");
    String deadLetterQueue = Topology.deadLetterQueue(queue.name());
    BrokerProbe broker = new BrokerProbe(rabbit.uri());
    assertThat(broker.queueExists(queue.name())).isFalse();

    for (int i = 0; i < 3; i++) {
      transport.send(queue, text("job-" + i)).get(10, TimeUnit.SECONDS);
    }

    assertThat(broker.queueExists(deadLetterQueue)).isTrue();
    await().atMost(Duration.ofSeconds(10)).until(() -> broker.ready(queue.name()) == 3);
    assertThat(transport.declarations())
        .containsExactly(
            new Topology.QueueDecl(queue.name(), Map.of("x-queue-type", "quorum")),
            new Topology.QueueDecl(deadLetterQueue, Map.of("x-queue-type", "quorum")));
    List<String> got = new CopyOnWriteArrayList<>();
    transport.consume(
        rabbit.spec(queue, queue.name(), 1, 5),
        d -> {
          got.add(body(d));
          return d.ack();
        });
    await().atMost(Duration.ofSeconds(10)).until(() -> got.size() == 3);
    assertThat(got).containsExactly("job-0", "job-1", "job-2");
  }

  @Test
  void aWorkQueueIsDeclaredOncePerTransportSoItsDeletionFailsLaterSends() throws Exception {
    RabbitTransport transport = rabbit.transport();
    Destination queue = rabbit.queue("deleted-after-send");
    transport.send(queue, text("first")).get(10, TimeUnit.SECONDS);
    new BrokerProbe(rabbit.uri()).deleteQueue(queue.name());

    Throwable failure = sendFailure(transport.send(queue, text("second")));

    assertThat(failure)
        .isInstanceOf(DestinationNotFoundException.class)
        .hasMessageContaining(queue.name())
        .hasMessageContaining("deleted after this transport declared it");
  }

  @Test
  void declareCreatesATopicsExchangeAndAWorkQueueWithItsDeadLetterQueue() throws Exception {
    RabbitTransport transport = rabbit.transport();
    Destination topic = rabbit.topic("declared-topic");
    Destination queue = rabbit.queue("declared-queue");
    BrokerProbe broker = new BrokerProbe(rabbit.uri());

    transport.declare(topic);
    transport.declare(queue);

    assertThat(broker.exchangeExists(topic.name())).isTrue();
    assertThat(broker.queueExists(queue.name())).isTrue();
    assertThat(broker.queueExists(Topology.deadLetterQueue(queue.name()))).isTrue();
    assertThat(sendFailure(transport.send(topic, text("nobody listens"))))
        .as("a declared topic still has no group")
        .isInstanceOf(DestinationNotFoundException.class);
  }

  private static Throwable sendFailure(CompletableFuture<Void> send) {
    try {
      send.get(5, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      return e.getCause();
    } catch (Exception e) {
      return e;
    }
    throw new AssertionError("the send succeeded");
  }

  @Test
  void messagesFromPlainClientsMapPropertiesAndReportBadHeaders() throws Exception {
    RabbitTransport transport = rabbit.transport();
    Destination queue = rabbit.queue("plain");
    List<Delivery> received = new CopyOnWriteArrayList<>();
    transport.consume(
        rabbit.spec(queue, queue.name(), 1, 5),
        d -> {
          received.add(d);
          return d.ack();
        });

    Map<String, Object> headers = new LinkedHashMap<>();
    headers.put("count", 42);
    headers.put("flag", true);
    headers.put("bad", LongStringHelper.asLongString(new byte[] {(byte) 0xc3, (byte) 0x28}));
    headers.put("good", LongStringHelper.asLongString("fine".getBytes(StandardCharsets.UTF_8)));
    headers.put("x-broker-thing", "hidden");
    Date timestamp = Date.from(Instant.parse("2024-05-01T10:00:00Z"));
    ConnectionFactory f = new ConnectionFactory();
    f.setUri(rabbit.uri());
    try (Connection c = f.newConnection("sbtest-plain");
        Channel ch = c.createChannel()) {
      ch.basicPublish(
          "",
          queue.name(),
          new AMQP.BasicProperties.Builder()
              .messageId("plain-1")
              .correlationId("c-9")
              .type("legacy.event")
              .appId("legacy-app")
              .contentType("text/plain")
              .timestamp(timestamp)
              .headers(headers)
              .build(),
          "hello".getBytes(StandardCharsets.UTF_8));
    }

    await().atMost(Duration.ofSeconds(10)).until(() -> received.size() == 1);
    Delivery d = received.get(0);
    Envelope e = d.message().envelope();
    assertThat(e.id()).isEqualTo("plain-1");
    assertThat(e.correlationId()).contains("c-9");
    assertThat(e.type()).isEqualTo("legacy.event");
    assertThat(e.source()).isEqualTo("legacy-app");
    assertThat(e.contentType()).isEqualTo("text/plain");
    assertThat(e.time()).isEqualTo(timestamp.toInstant());
    assertThat(e.attempt()).isEqualTo(1);
    assertThat(e.headers())
        .containsEntry("count", "42")
        .containsEntry("flag", "true")
        .containsEntry("good", "fine")
        .doesNotContainKeys("bad", "x-broker-thing");
    assertThat(d.problems()).singleElement().asString().contains("'bad'").contains("UTF-8");
  }

  @Test
  void pausedConsumerLeavesMessagesInTheBrokerUntilResumed() throws Exception {
    RabbitTransport transport = rabbit.transport();
    Destination queue = rabbit.queue("pause");
    List<String> got = Collections.synchronizedList(new ArrayList<>());
    TransportConsumer consumer =
        transport.consume(
            rabbit.spec(queue, queue.name(), 1, 5),
            d -> {
              got.add(body(d));
              return d.ack();
            });
    transport.send(queue, text("before")).get(10, TimeUnit.SECONDS);
    await().atMost(Duration.ofSeconds(10)).until(() -> got.size() == 1);

    consumer.pause();
    transport.send(queue, text("while-paused")).get(10, TimeUnit.SECONDS);
    BrokerProbe broker = new BrokerProbe(rabbit.uri());
    await().atMost(Duration.ofSeconds(10)).until(() -> broker.ready(queue.name()) == 1);
    assertThat(got).containsExactly("before");

    consumer.resume();
    await().atMost(Duration.ofSeconds(10)).until(() -> got.size() == 2);
    assertThat(got).containsExactly("before", "while-paused");
    consumer.close(Duration.ofSeconds(5));
  }
}
