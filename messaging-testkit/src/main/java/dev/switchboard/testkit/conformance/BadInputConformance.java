package dev.switchboard.testkit.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.switchboard.messaging.ConsumerState;
import dev.switchboard.messaging.DeadLetter;
import dev.switchboard.messaging.DeadLetters;
import dev.switchboard.messaging.DestinationNotFoundException;
import dev.switchboard.messaging.Envelope;
import dev.switchboard.messaging.Failure;
import dev.switchboard.messaging.FailureReason;
import dev.switchboard.messaging.HeadersTooLargeException;
import dev.switchboard.messaging.HeadersTooLargeException.Measure;
import dev.switchboard.messaging.Messaging;
import dev.switchboard.messaging.PayloadTooLargeException;
import dev.switchboard.messaging.RequestTimeoutException;
import dev.switchboard.messaging.SendOptions;
import dev.switchboard.messaging.Subscription;
import dev.switchboard.messaging.codec.JsonCodec;
import dev.switchboard.messaging.spi.Destination;
import dev.switchboard.messaging.spi.ReplyEndpoint;
import dev.switchboard.messaging.spi.Transport;
import dev.switchboard.messaging.spi.WireHeaders;
import dev.switchboard.messaging.spi.WireMessage;
import dev.switchboard.testkit.conformance.TestMessages.Answer;
import dev.switchboard.testkit.conformance.TestMessages.Item;
import dev.switchboard.testkit.conformance.TestMessages.Question;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Bad input: what a careless or foreign producer may send. Raw messages go through the transport
 * SPI, so no client library of the broker is needed. Each ends in a clear error or a dead letter,
 * with the consumer still running (it handles a good message afterwards) and nothing else lost.
 *
 * <p>Not covered here: header values that are not valid UTF-8, which only a broker's own client can
 * write; adapters test those in their own suites.
 */
public abstract class BadInputConformance {
  /** The number a bad message would carry if it were handled by mistake. */
  private static final int BAD = 99;

  private static final byte[] BAD_ITEM = utf8("{\"n\": " + BAD + "}");

  @RegisterExtension
  @Order(1)
  final LogCheck logs = new LogCheck();

  @RegisterExtension
  @Order(2)
  final Kit kit = new Kit(this::target);

  /** The transport under test. */
  protected abstract ConformanceTarget target();

  /** A worker on a queue of its own, recording the jobs it handles. */
  private record Worker(
      Messaging messaging, String queue, Subscription subscription, Tally handled) {}

  @Test
  @AllowWarnings("the message is dead-lettered on purpose, which the toolkit reports")
  void malformedJsonIsDeadLetteredAsADecodeFailure() throws Exception {
    byte[] body = utf8("{\"n\": " + BAD + ", \"unterminated");

    Failure f = expectDeadLettered("malformed", item().build(), body, FailureReason.DECODE);

    assertThat(f.exceptionMessage()).containsIgnoringCase("json");
  }

  @Test
  @AllowWarnings("the message is dead-lettered on purpose, which the toolkit reports")
  void unknownTypeNameIsDeadLetteredAsADecodeFailure() throws Exception {
    Envelope raw = item().type("sb.conformance.NeverRegistered").build();

    Failure f = expectDeadLettered("unknown-type", raw, BAD_ITEM, FailureReason.DECODE);

    assertThat(f.exceptionMessage()).contains("sb.conformance.NeverRegistered");
  }

  @Test
  @AllowWarnings("the message is dead-lettered on purpose, which the toolkit reports")
  void emptyBodyIsDeadLetteredAsADecodeFailure() throws Exception {
    Failure f = expectDeadLettered("empty", item().build(), new byte[0], FailureReason.DECODE);

    assertThat(f.exceptionMessage()).contains("empty");
  }

  @Test
  @AllowWarnings("the message is dead-lettered on purpose, which the toolkit reports")
  void garbledAttemptHeaderIsRejectedUnhandled() throws Exception {
    Envelope raw = item().header(WireHeaders.ATTEMPT, "third").build();

    Failure f = expectDeadLettered("garbled-attempt", raw, BAD_ITEM, FailureReason.REJECTED);

    assertThat(f.exceptionMessage()).contains(WireHeaders.ATTEMPT);
  }

  @Test
  @AllowWarnings("the message is dead-lettered on purpose, which the toolkit reports")
  void garbledDeadlineHeaderIsRejectedUnhandled() throws Exception {
    Envelope raw = item().header(WireHeaders.DEADLINE, "next tuesday").build();

    Failure f = expectDeadLettered("garbled-deadline", raw, BAD_ITEM, FailureReason.REJECTED);

    assertThat(f.exceptionMessage()).contains(WireHeaders.DEADLINE);
  }

  @Test
  void payloadOverTheSizeLimitIsRefusedAtPublishAndNothingIsSent() throws Exception {
    int limit = 4096;
    String queue = kit.name("too-large");
    List<Integer> sizes = new CopyOnWriteArrayList<>();
    Messaging m = kit.messaging(b -> b.maxPayloadBytes(limit));
    Subscription worker = m.consume(queue, byte[].class, (bytes, ctx) -> sizes.add(bytes.length));

    CompletableFuture<Envelope> tooLarge = m.send(queue, new byte[limit + 1]);

    assertThat(tooLarge).as("refused without waiting").isCompletedExceptionally();
    Throwable failure = catchThrowable(tooLarge::join);
    assertThat(failure).hasCauseInstanceOf(PayloadTooLargeException.class);
    PayloadTooLargeException e = (PayloadTooLargeException) failure.getCause();
    assertThat(e.size()).isEqualTo(limit + 1);
    assertThat(e.limit()).isEqualTo(limit);
    assertThat(e.getMessage()).contains(queue).contains(Integer.toString(limit));
    kit.get(m.send(queue, new byte[limit]));
    kit.await().untilAsserted(() -> assertThat(sizes).containsExactly(limit));
    kit.holdFor(Duration.ofMillis(300))
        .untilAsserted(() -> assertThat(sizes).as("payload sizes handled").containsExactly(limit));
    assertThat(m.queueDeadLetters(queue).browse(10)).isEmpty();
    assertThat(worker.state()).isEqualTo(ConsumerState.RUNNING);
  }

  @Test
  void headersOverTheCountLimitAreRefusedAtPublishAndNothingIsSent() throws Exception {
    HeadersTooLargeException e =
        expectRefusedAtPublish(
            "too-many-headers",
            b -> b.maxHeaders(4),
            Fixtures.headers(5, 64),
            Fixtures.headers(4, 64));

    assertThat(e.measure()).isEqualTo(Measure.COUNT);
    assertThat(e.size()).isEqualTo(5);
    assertThat(e.limit()).isEqualTo(4);
  }

  @Test
  void headersOverTheByteLimitAreRefusedAtPublishAndNothingIsSent() throws Exception {
    HeadersTooLargeException e =
        expectRefusedAtPublish(
            "too-large-headers",
            b -> b.maxHeaderBytes(256),
            Fixtures.headers(2, 257),
            Fixtures.headers(2, 256));

    assertThat(e.measure()).isEqualTo(Measure.BYTES);
    assertThat(e.size()).isEqualTo(257);
    assertThat(e.limit()).isEqualTo(256);
  }

  @Test
  @AllowWarnings("the message is dead-lettered on purpose, which the toolkit reports")
  void aMessageWithTooManyHeadersFromAForeignProducerIsDeadLettered() throws Exception {
    Map<String, String> headers = Fixtures.headers(40, 400);
    Envelope raw = item().key("foreign-key").headers(headers).build();

    DeadLetter letter =
        expectDeadLettered(
            "foreign-headers", b -> b.maxHeaders(4), raw, BAD_ITEM, FailureReason.HEADER_LIMIT);

    assertThat(letter.envelope().key()).contains("foreign-key");
    assertThat(letter.envelope().headers()).containsAllEntriesOf(headers);
    Failure f = letter.failure().orElseThrow();
    assertThat(f.exceptionClass()).isEqualTo(HeadersTooLargeException.class.getName());
    assertThat(f.exceptionMessage()).contains("40 headers").contains("maxHeaders");
  }

  @Test
  void fiveHundredHeadersArriveIntact() throws Exception {
    Map<String, String> headers = new LinkedHashMap<>();
    for (int i = 0; i < 500; i++) {
      headers.put(String.format("h-%03d", i), "value " + i);
    }

    expectDeliveredIntact("many-headers", headers);
  }

  @Test
  void headerValueOf64KiBArrivesIntact() throws Exception {
    // A pattern rather than one repeated letter, so that a shifted or cut value shows.
    String value = "0123456789abcdef".repeat(64 * 1024 / 16);

    expectDeliveredIntact("huge-header", Map.of("big", value, "small", "after the big one"));
  }

  @Test
  void replyWithAnUnknownCorrelationIdIsDroppedAndCountedAndPendingRequestsAreUntouched()
      throws Exception {
    String service = kit.name("stray-reply");
    AtomicReference<String> replyAddress = new AtomicReference<>();
    CountDownLatch holding = new CountDownLatch(1);
    CountDownLatch proceed = new CountDownLatch(1);
    Subscription responder =
        kit.messaging()
            .respond(
                service,
                Question.class,
                (q, ctx) -> {
                  replyAddress.set(ctx.envelope().replyTo().orElseThrow());
                  if (q.id() == 2) {
                    holding.countDown();
                    assertThat(proceed.await(kit.patience().toMillis(), TimeUnit.MILLISECONDS))
                        .isTrue();
                  }
                  return new Answer(q.id(), "real");
                });
    Messaging client = kit.messaging();
    assertThat(
            kit.get(client.request(service, new Question(1, 0), Answer.class, kit.patience())).id())
        .isEqualTo(1);
    CompletableFuture<Answer> waiting =
        client.request(service, new Question(2, 0), Answer.class, kit.patience());
    assertThat(holding.await(kit.patience().toMillis(), TimeUnit.MILLISECONDS)).isTrue();
    Transport foreign = kit.transport();
    byte[] body = utf8("{\"id\": 2, \"echo\": \"stray\"}");
    Envelope unknown = answer().correlationId("sbc-unknown-" + UUID.randomUUID()).build();
    Envelope uncorrelated = answer().build();

    kit.get(foreign.reply(replyAddress.get(), new WireMessage(unknown, body)));
    kit.get(foreign.reply(replyAddress.get(), new WireMessage(uncorrelated, body)));

    kit.await().untilAsserted(() -> assertThat(client.droppedReplies()).isEqualTo(2));
    assertThat(client.pendingRequests()).isEqualTo(1);
    assertThat(waiting).isNotDone();
    proceed.countDown();
    Answer real = kit.get(waiting);
    assertThat(real.id()).isEqualTo(2);
    assertThat(real.echo()).isEqualTo("real");
    assertThat(client.pendingRequests()).isZero();
    assertThat(client.droppedReplies()).isEqualTo(2);
    kit.awaitSettled(responder);
  }

  @Test
  @AllowWarnings("the reply cannot be sent and the request is dead-lettered, which is reported")
  void requestWhoseReplyAddressLeadsNowhereIsDeadLetteredAndTheResponderCarriesOn()
      throws Exception {
    String service = kit.name("reply-nowhere");
    String nowhere = kit.name("nowhere");
    List<Integer> handled = new CopyOnWriteArrayList<>();
    Messaging m = kit.messaging();
    Subscription responder =
        m.respond(
            service,
            Question.class,
            (q, ctx) -> {
              handled.add(q.id());
              return new Answer(q.id(), "answered");
            });
    String id = UUID.randomUUID().toString();
    Envelope request =
        question(id).replyTo(nowhere).deadline(Instant.now().plus(kit.patience())).build();

    kit.get(
        kit.transport().send(Destination.queue(service), new WireMessage(request, question(5))));

    DeadLetters dlq = m.queueDeadLetters(service);
    kit.await()
        .failFast(
            "the reply to an address that leads nowhere was taken as sent",
            () -> assertThat(responder.stats().handled()).as("requests answered").isZero())
        .untilAsserted(() -> assertThat(dlq.browse(10)).hasSize(1));
    DeadLetter letter = dlq.browse(10).get(0);
    assertThat(letter.envelope().id()).isEqualTo(id);
    assertThat(letter.payloadBytes()).isEqualTo(question(5));
    Failure f = letter.failure().orElseThrow();
    assertThat(f.reason()).isEqualTo(FailureReason.EXCEPTION);
    assertThat(f.exceptionClass()).isEqualTo(DestinationNotFoundException.class.getName());
    assertThat(f.exceptionMessage()).contains(nowhere);
    assertThat(responder.state()).isEqualTo(ConsumerState.RUNNING);
    Messaging client = kit.messaging();
    assertThat(
            kit.get(client.request(service, new Question(6, 0), Answer.class, kit.patience())).id())
        .isEqualTo(6);
    assertThat(handled).as("requests the handler saw").containsExactly(5, 6);
    assertThat(dlq.browse(10)).hasSize(1);
    kit.awaitSettled(responder);
  }

  @Test
  void requestWhoseDeadlineHasPassedIsNeitherHandledNorAnswered() throws Exception {
    String service = kit.name("expired-request");
    List<Integer> handled = new CopyOnWriteArrayList<>();
    Subscription responder =
        kit.messaging()
            .respond(
                service,
                Question.class,
                (q, ctx) -> {
                  handled.add(q.id());
                  return new Answer(q.id(), "answered");
                });
    Transport foreign = kit.transport();
    List<WireMessage> replies = new CopyOnWriteArrayList<>();
    ReplyEndpoint endpoint = foreign.openReplyEndpoint(replies::add);
    String id = UUID.randomUUID().toString();
    Envelope request =
        question(id)
            .replyTo(endpoint.address())
            .deadline(Instant.now().minus(Duration.ofMinutes(1)))
            .build();

    kit.get(foreign.send(Destination.queue(service), new WireMessage(request, question(7))));

    Messaging client = kit.messaging();
    assertThat(
            kit.get(client.request(service, new Question(8, 0), Answer.class, kit.patience())).id())
        .isEqualTo(8);
    kit.holdFor(Duration.ofMillis(500))
        .untilAsserted(
            () -> {
              assertThat(replies).as("replies to the expired request").isEmpty();
              assertThat(handled).as("requests the handler saw").containsExactly(8);
            });
    // The responder counts it as expired when it sees it; a broker that honours the request's
    // expiration (RabbitMQ) may drop it first, and then the responder never sees it at all.
    assertThat(responder.stats().expired()).isBetween(0L, 1L);
    assertThat(responder.stats().deadLettered()).isZero();
    assertThat(responder.state()).isEqualTo(ConsumerState.RUNNING);
    kit.awaitSettled(responder);
    endpoint.close();
  }

  @Test
  void requestGivenADeadlineThatHasPassedIsRefusedWithoutBeingSent() {
    String service = kit.name("no-time-left");
    List<Integer> handled = new CopyOnWriteArrayList<>();
    Subscription responder =
        kit.messaging()
            .respond(
                service,
                Question.class,
                (q, ctx) -> {
                  handled.add(q.id());
                  return new Answer(q.id(), "answered");
                });
    Messaging client = kit.messaging();
    SendOptions passed = SendOptions.builder().deadline(Instant.now().minusSeconds(1)).build();

    CompletableFuture<Answer> refused =
        client.request(service, new Question(1, 0), Answer.class, kit.patience(), passed);

    assertThat(refused).as("refused without waiting").isCompletedExceptionally();
    assertThat(catchThrowable(refused::join)).hasCauseInstanceOf(RequestTimeoutException.class);
    assertThat(client.pendingRequests()).isZero();
    assertThat(
            kit.get(client.request(service, new Question(2, 0), Answer.class, kit.patience())).id())
        .isEqualTo(2);
    assertThat(handled).containsExactly(2);
    kit.awaitSettled(responder);
  }

  /**
   * Sends a good job, the bad message through the SPI, and another good job. Expects the bad one
   * dead-lettered unhandled with {@code reason}, its id and bytes intact; both good ones handled
   * once; the worker still running. Returns the failure envelope for the case's own checks.
   */
  private Failure expectDeadLettered(String what, Envelope bad, byte[] body, FailureReason reason)
      throws Exception {
    return expectDeadLettered(what, b -> {}, bad, body, reason).failure().orElseThrow();
  }

  /** As above, on a worker built with {@code settings}; returns the whole dead letter. */
  private DeadLetter expectDeadLettered(
      String what,
      Consumer<Messaging.Builder> settings,
      Envelope bad,
      byte[] body,
      FailureReason reason)
      throws Exception {
    Worker w = worker(what, settings);
    Transport foreign = kit.transport();

    kit.get(w.messaging().send(w.queue(), new Item(1)));
    kit.get(foreign.send(Destination.queue(w.queue()), new WireMessage(bad, body)));
    kit.get(w.messaging().send(w.queue(), new Item(2)));

    DeadLetters dlq = w.messaging().queueDeadLetters(w.queue());
    kit.await()
        .failFast(
            "the bad message was handled as if it were good",
            () -> assertThat(w.handled().numbers()).doesNotContain(BAD))
        .untilAsserted(() -> assertThat(dlq.browse(10)).hasSize(1));
    DeadLetter letter = dlq.browse(10).get(0);
    assertThat(letter.envelope().id()).isEqualTo(bad.id());
    assertThat(letter.payloadBytes()).as("dead-lettered bytes").isEqualTo(body);
    Failure f = letter.failure().orElseThrow();
    assertThat(f.reason()).isEqualTo(reason);
    assertThat(f.originDestination()).isEqualTo(w.queue());
    kit.await()
        .untilAsserted(() -> assertThat(w.handled().numbers()).containsExactlyInAnyOrder(1, 2));
    assertThat(w.handled().duplicates()).isEmpty();
    assertThat(w.subscription().state()).isEqualTo(ConsumerState.RUNNING);
    assertThat(w.subscription().stats().deadLettered()).isEqualTo(1);
    assertThat(dlq.browse(10)).hasSize(1);
    return letter;
  }

  /**
   * Sends a job with headers over a limit of {@code settings}, then one with {@code fitting}
   * headers. Expects the first refused at once and never delivered, the second handled, and no dead
   * letter. Returns the refusal.
   */
  private HeadersTooLargeException expectRefusedAtPublish(
      String what,
      Consumer<Messaging.Builder> settings,
      Map<String, String> over,
      Map<String, String> fitting)
      throws Exception {
    Worker w = worker(what, settings);

    CompletableFuture<Envelope> refused =
        w.messaging().send(w.queue(), new Item(BAD), SendOptions.builder().headers(over).build());

    assertThat(refused).as("refused without waiting").isCompletedExceptionally();
    Throwable failure = catchThrowable(refused::join);
    assertThat(failure).hasCauseInstanceOf(HeadersTooLargeException.class);
    HeadersTooLargeException e = (HeadersTooLargeException) failure.getCause();
    assertThat(e.isRetryable()).isFalse();
    assertThat(e.getMessage()).contains(w.queue()).contains(e.measure().setting());
    kit.get(
        w.messaging().send(w.queue(), new Item(1), SendOptions.builder().headers(fitting).build()));
    kit.await().untilAsserted(() -> assertThat(w.handled().numbers()).containsExactly(1));
    kit.holdFor(Duration.ofMillis(300))
        .untilAsserted(() -> assertThat(w.handled().numbers()).containsExactly(1));
    assertThat(w.messaging().queueDeadLetters(w.queue()).browse(10)).isEmpty();
    assertThat(w.subscription().state()).isEqualTo(ConsumerState.RUNNING);
    return e;
  }

  /** Sends a job with {@code headers}; expects the handler to see every one of them unchanged. */
  private void expectDeliveredIntact(String what, Map<String, String> headers) throws Exception {
    String queue = kit.name(what);
    Tally handled = new Tally();
    AtomicReference<Map<String, String>> seen = new AtomicReference<>();
    Messaging m = kit.messaging();
    Subscription worker =
        m.consume(
            queue,
            Item.class,
            (item, ctx) -> {
              if (item.n() == 1) {
                seen.set(ctx.envelope().headers());
              }
              handled.record(item.n());
            });

    kit.get(m.send(queue, new Item(1), SendOptions.builder().headers(headers).build()));
    kit.get(m.send(queue, new Item(2)));

    kit.await().untilAsserted(() -> assertThat(handled.numbers()).containsExactlyInAnyOrder(1, 2));
    assertThat(seen.get()).hasSameSizeAs(headers).containsExactlyInAnyOrderEntriesOf(headers);
    assertThat(handled.duplicates()).isEmpty();
    assertThat(m.queueDeadLetters(queue).browse(10)).isEmpty();
    assertThat(worker.state()).isEqualTo(ConsumerState.RUNNING);
  }

  private Worker worker(String what, Consumer<Messaging.Builder> settings) {
    String queue = kit.name(what);
    Tally handled = new Tally();
    Messaging m = kit.messaging(settings);
    Subscription s = m.consume(queue, Item.class, (item, ctx) -> handled.record(item.n()));
    return new Worker(m, queue, s, handled);
  }

  private static Envelope.Builder item() {
    return Envelope.builder()
        .type(TestMessages.ITEM)
        .contentType(JsonCodec.CONTENT_TYPE)
        .source("conformance-foreign-producer");
  }

  private static Envelope.Builder answer() {
    return Envelope.builder().type(TestMessages.ANSWER).contentType(JsonCodec.CONTENT_TYPE);
  }

  private static Envelope.Builder question(String id) {
    return Envelope.builder()
        .id(id)
        .correlationId(id)
        .type(TestMessages.QUESTION)
        .contentType(JsonCodec.CONTENT_TYPE)
        .source("conformance-foreign-producer");
  }

  private static byte[] question(int id) {
    return utf8("{\"id\": " + id + ", \"delayMillis\": 0}");
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
