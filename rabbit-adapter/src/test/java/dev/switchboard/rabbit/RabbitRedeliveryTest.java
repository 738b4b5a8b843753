package dev.switchboard.rabbit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import com.rabbitmq.client.AMQP;
import dev.switchboard.messaging.Envelope;
import dev.switchboard.messaging.spi.DeadLetterStore;
import dev.switchboard.messaging.spi.Delivery;
import dev.switchboard.messaging.spi.Destination;
import dev.switchboard.messaging.spi.WireMessage;
import dev.switchboard.testkit.conformance.LogCheck;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class RabbitRedeliveryTest {
  private static final Duration TOLERANCE = Duration.ofMillis(1500);

  @RegisterExtension
  @Order(1)
  final LogCheck logs = new LogCheck();

  @RegisterExtension
  @Order(2)
  final CapturedLogs captured = CapturedLogs.atDebug(RabbitConsumer.class);

  @RegisterExtension
  @Order(3)
  final RabbitScratch rabbit = new RabbitScratch();

  private static WireMessage message(String body, Map<String, String> headers) {
    return new WireMessage(
        Envelope.builder().type("test.item").headers(headers).build(),
        body.getBytes(StandardCharsets.UTF_8));
  }

  private static String body(Delivery d) {
    return new String(d.message().body(), StandardCharsets.UTF_8);
  }

  private static WireMessage nextAttempt(Delivery d) {
    Envelope e = d.message().envelope();
    return d.message().withEnvelope(e.toBuilder().attempt(e.attempt() + 1).build());
  }

  @Test
  void redeliveryWaitsForItsDelayLevelThenReturnsToTheGroupOnly() throws Exception {
    RabbitTransport transport = rabbit.transport();
    Destination topic = rabbit.topic("retry");
    Duration[] levels = {Duration.ofMillis(300), Duration.ofMillis(1500), Duration.ofMillis(3000)};
    // Asked-for delay -> the level the transport must use.
    Map<String, Duration> asked =
        Map.of(
            "short", Duration.ofMillis(300),
            "middle", Duration.ofMillis(1500),
            "long", Duration.ofMillis(3000),
            "between", Duration.ofMillis(700),
            "beyond", Duration.ofMillis(9000));
    Map<String, Duration> expected =
        Map.of(
            "short", levels[0],
            "middle", levels[1],
            "long", levels[2],
            "between", levels[1],
            "beyond", levels[2]);
    Map<String, Long> redeliveredAt = new ConcurrentHashMap<>();
    Map<String, Long> arrivedAt = new ConcurrentHashMap<>();
    Map<String, Delivery> second = new ConcurrentHashMap<>();
    List<String> otherGroup = new CopyOnWriteArrayList<>();
    transport.consume(
        rabbit.spec(topic, "retrying", 4, 8, levels),
        d -> {
          String b = body(d);
          if (d.message().envelope().attempt() == 1) {
            redeliveredAt.put(b, System.nanoTime());
            return d.redeliver(nextAttempt(d), asked.get(b));
          }
          arrivedAt.put(b, System.nanoTime());
          second.put(b, d);
          return d.ack();
        });
    transport.consume(
        rabbit.spec(topic, "bystander", 1, 8),
        d -> {
          otherGroup.add(body(d));
          return d.ack();
        });

    for (String b : asked.keySet()) {
      transport.send(topic, message(b, Map.of("origin", b))).get(10, TimeUnit.SECONDS);
    }
    await().atMost(Duration.ofSeconds(20)).until(() -> arrivedAt.size() == asked.size());

    for (String b : asked.keySet()) {
      Duration waited = Duration.ofNanos(arrivedAt.get(b) - redeliveredAt.get(b));
      System.out.printf(
          "redelivery '%s': asked %d ms, level %d ms, arrived after %d ms%n",
          b, asked.get(b).toMillis(), expected.get(b).toMillis(), waited.toMillis());
      assertThat(waited).isGreaterThanOrEqualTo(expected.get(b).minusMillis(20));
      assertThat(waited).isLessThan(expected.get(b).plus(TOLERANCE));
      Delivery d = second.get(b);
      assertThat(d.message().envelope().attempt()).isEqualTo(2);
      assertThat(d.message().envelope().headers()).containsEntry("origin", b);
      assertThat(d.problems()).isEmpty();
    }
    assertThat(otherGroup).hasSize(asked.size());
  }

  @Test
  void redeliveryOnAGroupWithoutDelayLevelsGoesStraightBackAndDeclaresNoWaitQueue()
      throws Exception {
    RabbitTransport transport = rabbit.transport();
    Destination queue = rabbit.queue("no-levels");
    List<Duration> asked = List.of(Duration.ofMillis(123), Duration.ofMillis(4567));
    List<String> waitQueues =
        asked.stream().map(d -> Topology.waitQueue(queue.name(), d.toMillis())).toList();
    waitQueues.forEach(rabbit::deleteLater);
    List<Delivery> seen = new CopyOnWriteArrayList<>();
    transport.consume(
        rabbit.spec(queue, queue.name(), 1, 4),
        d -> {
          seen.add(d);
          int attempt = d.message().envelope().attempt();
          return attempt <= asked.size()
              ? d.redeliver(nextAttempt(d), asked.get(attempt - 1))
              : d.ack();
        });

    long start = System.nanoTime();
    transport.send(queue, message("jittered", Map.of())).get(10, TimeUnit.SECONDS);
    await().atMost(Duration.ofSeconds(10)).until(() -> seen.size() == 3);
    Duration took = Duration.ofNanos(System.nanoTime() - start);

    System.out.printf("two redeliveries without levels took %d ms%n", took.toMillis());
    assertThat(seen).extracting(d -> d.message().envelope().attempt()).containsExactly(1, 2, 3);
    assertThat(took).as("no requested delay was waited").isLessThan(asked.get(1));
    BrokerProbe broker = new BrokerProbe(rabbit.uri());
    for (String wait : waitQueues) {
      assertThat(broker.queueExists(wait)).as(wait).isFalse();
    }
    assertThat(transport.declarations())
        .noneMatch(d -> d instanceof Topology.QueueDecl q && q.name().contains(".wait."));
    assertThat(
            captured.from(
                RabbitConsumer.class, Level.DEBUG, m -> m.contains("no redelivery delay")))
        .hasSize(2);
  }

  @Test
  void requestExpirationIsDroppedOnRedelivery() throws Exception {
    RabbitTransport transport = rabbit.transport();
    Destination queue = rabbit.queue("expiring");
    List<AMQP.BasicProperties> seen = new CopyOnWriteArrayList<>();
    transport.consume(
        rabbit.spec(queue, queue.name(), 1, 4, Duration.ofMillis(100)),
        d -> {
          seen.add(((com.rabbitmq.client.Delivery) d.nativeRecord()).getProperties());
          return d.message().envelope().attempt() == 1
              ? d.redeliver(nextAttempt(d), Duration.ofMillis(100))
              : d.ack();
        });
    Envelope request =
        Envelope.builder()
            .replyTo("sbtest-some-reply-queue")
            .correlationId("c1")
            .deadline(Instant.now().plusSeconds(60))
            .build();
    transport.send(queue, new WireMessage(request, new byte[] {1})).get(10, TimeUnit.SECONDS);

    await().atMost(Duration.ofSeconds(10)).until(() -> seen.size() == 2);
    long expiration = Long.parseLong(seen.get(0).getExpiration());
    assertThat(expiration).isBetween(50_000L, 60_000L);
    assertThat(seen.get(1).getExpiration()).isNull();
    assertThat(seen.get(1).getReplyTo()).isEqualTo("sbtest-some-reply-queue");
  }

  @Test
  void deadLetterLandsInTheDeadLetterQueueIntact() throws Exception {
    RabbitTransport transport = rabbit.transport();
    Destination topic = rabbit.topic("dlq");
    transport.consume(
        rabbit.spec(topic, "failing", 1, 4),
        d -> {
          Envelope e = d.message().envelope();
          WireMessage dead =
              d.message()
                  .withEnvelope(
                      e.toBuilder()
                          .header("sb_failure_reason", "boom ✗")
                          .header("sb_failure_attempts", "1")
                          .build());
          return d.deadLetter(dead);
        });
    byte[] bytes = {(byte) 0x80, 0, (byte) 0xff, 'z'};
    Envelope sent =
        Envelope.builder()
            .type("test.binary")
            .key("k1")
            .headers(Map.of("user", "välue", "blank", ""))
            .contentType("application/octet-stream")
            .build();
    transport.send(topic, new WireMessage(sent, bytes)).get(10, TimeUnit.SECONDS);

    DeadLetterStore store = transport.deadLetters(topic, "failing");
    await().atMost(Duration.ofSeconds(10)).until(() -> store.count() == 1);
    List<WireMessage> browsed = store.browse(10);
    assertThat(browsed).hasSize(1);
    WireMessage dead = browsed.get(0);
    assertThat(dead.body()).isEqualTo(bytes);
    assertThat(dead.envelope().id()).isEqualTo(sent.id());
    assertThat(dead.envelope().key()).contains("k1");
    assertThat(dead.envelope().type()).isEqualTo("test.binary");
    assertThat(dead.envelope().contentType()).isEqualTo("application/octet-stream");
    assertThat(dead.envelope().headers())
        .containsEntry("user", "välue")
        .containsEntry("blank", "")
        .containsEntry("sb_failure_reason", "boom ✗")
        .containsEntry("sb_failure_attempts", "1");
    // Browsing hands the message back; the broker re-queues it asynchronously.
    await().atMost(Duration.ofSeconds(10)).until(() -> store.count() == 1);
    assertThat(store.browse(10)).hasSize(1);
  }

  @Test
  void browseKeepsDeadLettersAndMoveReturnsTheChosenOnesToTheGroup() throws Exception {
    RabbitTransport transport = rabbit.transport();
    Destination topic = rabbit.topic("redrive");
    boolean[] failing = {true};
    List<String> handled = new CopyOnWriteArrayList<>();
    List<String> otherGroup = new CopyOnWriteArrayList<>();
    transport.consume(
        rabbit.spec(topic, "worker", 1, 4),
        d -> {
          if (failing[0]) {
            return d.deadLetter(d.message());
          }
          handled.add(body(d));
          return d.ack();
        });
    transport.consume(
        rabbit.spec(topic, "other", 1, 4),
        d -> {
          otherGroup.add(body(d));
          return d.ack();
        });
    for (int i = 0; i < 6; i++) {
      transport.send(topic, message("n" + i, Map.of())).get(10, TimeUnit.SECONDS);
    }
    DeadLetterStore store = transport.deadLetters(topic, "worker");
    await().atMost(Duration.ofSeconds(10)).until(() -> store.count() == 6);
    await().atMost(Duration.ofSeconds(10)).until(() -> otherGroup.size() == 6);

    List<String> browsed =
        store.browse(10).stream().map(m -> new String(m.body(), StandardCharsets.UTF_8)).toList();
    assertThat(browsed).containsExactly("n0", "n1", "n2", "n3", "n4", "n5");
    await().atMost(Duration.ofSeconds(10)).until(() -> store.count() == 6);

    failing[0] = false;
    int moved =
        store.move(
            10,
            m -> {
              int n = Integer.parseInt(new String(m.body(), StandardCharsets.UTF_8).substring(1));
              return n % 2 == 0 ? Optional.of(m) : Optional.empty();
            });

    assertThat(moved).isEqualTo(3);
    await().atMost(Duration.ofSeconds(10)).until(() -> handled.size() == 3);
    assertThat(handled).containsExactlyInAnyOrder("n0", "n2", "n4");
    await().atMost(Duration.ofSeconds(10)).until(() -> store.count() == 3);
    assertThat(store.browse(10).stream().map(m -> new String(m.body(), StandardCharsets.UTF_8)))
        .containsExactly("n1", "n3", "n5");
    assertThat(otherGroup).as("a move goes to the group only").hasSize(6);
  }

  @Test
  void deadLettersOfAGroupThatNeverRanReadAsEmpty() {
    RabbitTransport transport = rabbit.transport();
    DeadLetterStore store = transport.deadLetters(rabbit.topic("never"), "nobody");
    assertThat(store.count()).isZero();
    assertThat(store.browse(5)).isEmpty();
    assertThat(store.move(5, Optional::of)).isZero();
  }
}
