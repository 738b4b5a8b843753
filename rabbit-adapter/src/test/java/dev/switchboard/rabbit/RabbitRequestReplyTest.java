package dev.switchboard.rabbit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.switchboard.messaging.DestinationNotFoundException;
import dev.switchboard.messaging.Envelope;
import dev.switchboard.messaging.PublishException;
import dev.switchboard.messaging.spi.Delivery;
import dev.switchboard.messaging.spi.Destination;
import dev.switchboard.messaging.spi.ReplyEndpoint;
import dev.switchboard.messaging.spi.Transport;
import dev.switchboard.messaging.spi.WireMessage;
import dev.switchboard.testkit.conformance.LogCheck;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class RabbitRequestReplyTest {
  @RegisterExtension
  @Order(1)
  final LogCheck logs = new LogCheck();

  @RegisterExtension
  @Order(2)
  final RabbitScratch rabbit = new RabbitScratch();

  /** Answers every request with its own body, written against the SPI only. */
  private static CompletionStage<Void> echo(Transport transport, Delivery request) {
    Envelope in = request.message().envelope();
    Envelope out =
        Envelope.builder()
            .type("test.echo")
            .correlationId(in.correlationId().orElseThrow())
            .causationId(in.id())
            .build();
    return transport
        .reply(in.replyTo().orElseThrow(), new WireMessage(out, request.message().body()))
        .handle((v, failure) -> failure == null ? request.ack() : request.release())
        .thenCompose(settled -> settled);
  }

  private static WireMessage request(String correlationId, String replyTo, String body) {
    return new WireMessage(
        Envelope.builder()
            .type("test.question")
            .correlationId(correlationId)
            .replyTo(replyTo)
            .deadline(Instant.now().plusSeconds(60))
            .build(),
        body.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void thousandRequestsFromFourThreadsAllCorrelate() throws Exception {
    RabbitTransport responder = rabbit.transport();
    RabbitTransport requester = rabbit.transport();
    Destination service = rabbit.queue("echo");
    responder.consume(rabbit.spec(service, service.name(), 4, 32), d -> echo(responder, d));

    Map<String, CompletableFuture<WireMessage>> pending = new ConcurrentHashMap<>();
    List<String> strays = new CopyOnWriteArrayList<>();
    ReplyEndpoint endpoint =
        requester.openReplyEndpoint(
            reply -> {
              String id = reply.envelope().correlationId().orElse("none");
              CompletableFuture<WireMessage> f = pending.remove(id);
              if (f == null) {
                strays.add(id);
              } else {
                f.complete(reply);
              }
            });
    assertThat(endpoint.address()).startsWith("amq.rabbitmq.reply-to#");

    int threads = 4;
    int perThread = 250;
    Map<String, String> bodies = new ConcurrentHashMap<>();
    List<CompletableFuture<WireMessage>> replies = new CopyOnWriteArrayList<>();
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    long start = System.nanoTime();
    try {
      List<Future<?>> workers = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int thread = t;
        workers.add(
            pool.submit(
                () -> {
                  List<CompletableFuture<Void>> sends = new ArrayList<>();
                  for (int i = 0; i < perThread; i++) {
                    String id = UUID.randomUUID().toString();
                    String body = "q-" + thread + "-" + i;
                    bodies.put(id, body);
                    CompletableFuture<WireMessage> reply = new CompletableFuture<>();
                    pending.put(id, reply);
                    replies.add(reply);
                    sends.add(requester.send(service, request(id, endpoint.address(), body)));
                  }
                  CompletableFuture.allOf(sends.toArray(CompletableFuture[]::new)).join();
                }));
      }
      for (Future<?> w : workers) {
        w.get(30, TimeUnit.SECONDS);
      }
      CompletableFuture.allOf(replies.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
    } finally {
      pool.shutdownNow();
    }
    long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    System.out.printf(
        "request-reply: %d requests from %d threads answered in %d ms (%.0f/s)%n",
        threads * perThread, threads, millis, threads * perThread * 1000.0 / Math.max(1, millis));

    assertThat(replies).hasSize(threads * perThread);
    assertThat(pending).isEmpty();
    assertThat(strays).isEmpty();
    for (CompletableFuture<WireMessage> f : replies) {
      WireMessage reply = f.join();
      String id = reply.envelope().correlationId().orElseThrow();
      assertThat(new String(reply.body(), StandardCharsets.UTF_8)).isEqualTo(bodies.get(id));
    }
    endpoint.close();
  }

  @Test
  void responderSeesTheBrokerAssignedAddress() throws Exception {
    RabbitTransport transport = rabbit.transport();
    Destination service = rabbit.queue("peek");
    List<Delivery> requests = new CopyOnWriteArrayList<>();
    transport.consume(
        rabbit.spec(service, service.name(), 1, 4),
        d -> {
          requests.add(d);
          return d.ack();
        });
    ReplyEndpoint endpoint = transport.openReplyEndpoint(reply -> {});
    transport.send(service, request("c-1", endpoint.address(), "hi")).get(10, TimeUnit.SECONDS);

    await().atMost(Duration.ofSeconds(10)).until(() -> requests.size() == 1);
    Envelope seen = requests.get(0).message().envelope();
    assertThat(seen.replyTo()).get().asString().startsWith("amq.rabbitmq.reply-to.");
    assertThat(seen.headers()).doesNotContainKey("sb_replyto");
    endpoint.close();
  }

  @Test
  void requestToATopicWithNoGroupFailsFast() {
    RabbitTransport transport = rabbit.transport();
    ReplyEndpoint endpoint = transport.openReplyEndpoint(reply -> {});
    Destination missing = rabbit.topic("nobody-home");

    long start = System.nanoTime();
    CompletableFuture<Void> sent = transport.send(missing, request("c", endpoint.address(), "?"));
    assertThatThrownBy(() -> sent.get(5, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .cause()
        .isInstanceOf(DestinationNotFoundException.class)
        .hasMessageContaining(missing.name());
    long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    System.out.printf("request to a topic without groups failed after %d ms%n", millis);
    assertThat(millis).isLessThan(2000);

    // The endpoint's channel survives the failure and still carries requests.
    Destination present = rabbit.queue("present");
    transport.declare(present);
    assertThat(transport.send(present, request("c2", endpoint.address(), "!")))
        .succeedsWithin(Duration.ofSeconds(5));
    endpoint.close();
  }

  @Test
  void replyToAGoneRequesterIsDroppedAndReplyToAMissingQueueFails() throws Exception {
    RabbitTransport responder = rabbit.transport();
    RabbitTransport requester = rabbit.transport();
    Destination service = rabbit.queue("late");
    List<Delivery> requests = new CopyOnWriteArrayList<>();
    responder.consume(
        rabbit.spec(service, service.name(), 1, 4),
        d -> {
          requests.add(d);
          return d.ack();
        });
    List<WireMessage> replies = new CopyOnWriteArrayList<>();
    ReplyEndpoint endpoint = requester.openReplyEndpoint(replies::add);
    requester.send(service, request("c-late", endpoint.address(), "x")).get(10, TimeUnit.SECONDS);
    await().atMost(Duration.ofSeconds(10)).until(() -> requests.size() == 1);
    endpoint.close();

    // The broker confirms a reply to a vanished direct reply-to address and drops it.
    String address = requests.get(0).message().envelope().replyTo().orElseThrow();
    WireMessage answer =
        new WireMessage(Envelope.builder().correlationId("c-late").build(), new byte[0]);
    assertThat(responder.reply(address, answer)).succeedsWithin(Duration.ofSeconds(5));
    assertThat(replies).isEmpty();

    String missingQueue = rabbit.name("no-reply-queue");
    assertThat(responder.reply(missingQueue, answer))
        .failsWithin(Duration.ofSeconds(5))
        .withThrowableThat()
        .havingCause()
        .isInstanceOf(DestinationNotFoundException.class)
        .withMessageContaining(missingQueue);
  }

  @Test
  void requestNamingAClosedEndpointIsRefusedWithoutTouchingTheBroker() {
    RabbitTransport transport = rabbit.transport();
    ReplyEndpoint endpoint = transport.openReplyEndpoint(reply -> {});
    endpoint.close();
    Destination service = rabbit.queue("closed-endpoint");
    transport.declare(service);

    assertThat(transport.send(service, request("c", endpoint.address(), "?")))
        .failsWithin(Duration.ofSeconds(5))
        .withThrowableThat()
        .havingCause()
        .isInstanceOf(PublishException.class)
        .withMessageContaining("closed");
    // The shared publisher channel was not closed by the broker.
    assertThat(transport.send(service, request("c", "sbtest-plain-queue", "ok")))
        .succeedsWithin(Duration.ofSeconds(5));
  }
}
