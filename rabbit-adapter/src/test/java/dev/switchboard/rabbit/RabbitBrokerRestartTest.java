package dev.switchboard.rabbit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.switchboard.messaging.Envelope;
import dev.switchboard.messaging.spi.Destination;
import dev.switchboard.messaging.spi.ReplyEndpoint;
import dev.switchboard.messaging.spi.TransportConsumer;
import dev.switchboard.messaging.spi.WireMessage;
import dev.switchboard.testkit.conformance.AllowWarnings;
import dev.switchboard.testkit.conformance.LogCheck;
import dev.switchboard.testkit.rabbit.PrivateRabbitNode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

@AllowWarnings("the transport warns when the connection drops and when sends fail meanwhile")
class RabbitBrokerRestartTest {
  private static PrivateRabbitNode node;

  @RegisterExtension
  @Order(1)
  final LogCheck logs = new LogCheck();

  @RegisterExtension
  @Order(2)
  final RabbitScratch rabbit = new RabbitScratch(() -> node.uri());

  @BeforeAll
  static void startNode() {
    PrivateRabbitNode.requireInstalled();
    node = PrivateRabbitNode.builder().build().start();
  }

  @AfterAll
  static void closeNode() {
    if (node != null) {
      node.close();
    }
  }

  private static WireMessage text(String body) {
    return new WireMessage(Envelope.builder().build(), body.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void restartMidStreamLosesNoConfirmedMessageAndConsumersResume() throws Exception {
    RabbitTransport transport =
        rabbit.transport(
            b -> b.recoveryInterval(Duration.ofMillis(500)).publishTimeout(Duration.ofSeconds(5)));
    Destination queue = rabbit.queue("restart");
    Set<String> received = ConcurrentHashMap.newKeySet();
    AtomicInteger deliveries = new AtomicInteger();
    TransportConsumer consumer =
        transport.consume(
            rabbit.spec(queue, queue.name(), 2, 20),
            d -> {
              deliveries.incrementAndGet();
              received.add(new String(d.message().body(), StandardCharsets.UTF_8));
              return d.ack();
            });
    Destination service = rabbit.queue("restart-echo");
    transport.consume(
        rabbit.spec(service, service.name(), 1, 10),
        d ->
            transport
                .reply(
                    d.message().envelope().replyTo().orElseThrow(),
                    new WireMessage(
                        Envelope.builder()
                            .correlationId(d.message().envelope().correlationId().orElseThrow())
                            .build(),
                        d.message().body()))
                .handle((v, e) -> e == null ? d.ack() : d.release())
                .thenCompose(s -> s));
    Map<String, CompletableFuture<WireMessage>> replies = new ConcurrentHashMap<>();
    ReplyEndpoint endpoint =
        transport.openReplyEndpoint(
            r -> {
              CompletableFuture<WireMessage> f =
                  replies.get(r.envelope().correlationId().orElse(""));
              if (f != null) {
                f.complete(r);
              }
            });

    Deque<String> todo = new ArrayDeque<>();
    AtomicInteger next = new AtomicInteger();
    AtomicBoolean stop = new AtomicBoolean();
    Set<String> confirmed = ConcurrentHashMap.newKeySet();
    AtomicInteger failedSends = new AtomicInteger();
    AtomicLong lastFailure = new AtomicLong();
    ExecutorService producer = Executors.newSingleThreadExecutor();
    Future<?> producing =
        producer.submit(
            () ->
                await()
                    .atMost(Duration.ofSeconds(180))
                    .pollInterval(Duration.ofMillis(20))
                    .until(
                        () -> {
                          while (!stop.get() && todo.size() < 50) {
                            todo.add("m" + next.getAndIncrement());
                          }
                          sendRound(transport, queue, todo, confirmed, failedSends, lastFailure);
                          return stop.get() && todo.isEmpty();
                        }));

    await().atMost(Duration.ofSeconds(30)).until(() -> confirmed.size() >= 500);
    long restartStart = System.nanoTime();
    node.restart();
    long restartMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - restartStart);
    int atRestart = confirmed.size();
    await().atMost(Duration.ofSeconds(60)).until(() -> confirmed.size() >= atRestart + 500);
    stop.set(true);
    producing.get(60, TimeUnit.SECONDS);
    producer.shutdown();
    long recoveredAfter = TimeUnit.NANOSECONDS.toMillis(lastFailure.get() - restartStart);

    await().atMost(Duration.ofSeconds(60)).until(() -> received.containsAll(confirmed));
    System.out.printf(
        "broker restart: node restart took %d ms, last failed send %d ms after it began;"
            + " %d confirmed, %d failed sends retried, %d deliveries (%d duplicates)%n",
        restartMillis,
        recoveredAfter,
        confirmed.size(),
        failedSends.get(),
        deliveries.get(),
        deliveries.get() - received.size());
    assertThat(confirmed).hasSize(next.get());
    assertThat(received).containsAll(confirmed);
    assertThat(failedSends.get()).as("the outage was seen by the producer").isPositive();
    assertThat(consumer.failed()).isFalse();

    // The reply endpoint opened before the restart answers again.
    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(200))
        .until(
            () -> {
              String id = "after-restart-" + System.nanoTime();
              CompletableFuture<WireMessage> reply = new CompletableFuture<>();
              replies.put(id, reply);
              WireMessage request =
                  new WireMessage(
                      Envelope.builder().correlationId(id).replyTo(endpoint.address()).build(),
                      id.getBytes(StandardCharsets.UTF_8));
              try {
                transport.send(service, request).get(5, TimeUnit.SECONDS);
                return reply.get(5, TimeUnit.SECONDS) != null;
              } catch (ExecutionException | TimeoutException e) {
                return false;
              }
            });
    endpoint.close();
  }

  private static void sendRound(
      RabbitTransport transport,
      Destination queue,
      Deque<String> todo,
      Set<String> confirmed,
      AtomicInteger failedSends,
      AtomicLong lastFailure) {
    List<String> batch = new ArrayList<>();
    while (batch.size() < 50 && !todo.isEmpty()) {
      batch.add(todo.poll());
    }
    List<CompletableFuture<Void>> sends = new ArrayList<>();
    for (String body : batch) {
      sends.add(transport.send(queue, text(body)));
    }
    for (int i = 0; i < batch.size(); i++) {
      try {
        sends.get(i).get(20, TimeUnit.SECONDS);
        confirmed.add(batch.get(i));
      } catch (Exception e) {
        failedSends.incrementAndGet();
        lastFailure.set(System.nanoTime());
        todo.add(batch.get(i));
      }
    }
  }
}
