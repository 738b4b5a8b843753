package dev.switchboard.testkit.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.switchboard.messaging.BulkheadFullException;
import dev.switchboard.messaging.CircuitOpenException;
import dev.switchboard.messaging.Messaging;
import dev.switchboard.messaging.RequestPolicy;
import dev.switchboard.messaging.RequestTimeoutException;
import dev.switchboard.messaging.Subscription;
import dev.switchboard.messaging.spi.ConsumerSpec;
import dev.switchboard.messaging.spi.Delivery;
import dev.switchboard.messaging.spi.Destination;
import dev.switchboard.messaging.spi.Transport;
import dev.switchboard.testkit.conformance.TestMessages.Answer;
import dev.switchboard.testkit.conformance.TestMessages.Question;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Resilience on the requester side: deadlines that travel with a request and bound nested calls, a
 * per-destination circuit breaker that fails fast, and a bulkhead on requests in flight.
 */
public abstract class RequestResilienceConformance {
  @RegisterExtension
  @Order(1)
  final LogCheck logs = new LogCheck();

  @RegisterExtension
  @Order(2)
  final Kit kit = new Kit(this::target);

  /** The transport under test. */
  protected abstract ConformanceTarget target();

  @Test
  void requestPastItsDeadlineWhenItsTurnComesIsNotHandledAndGetsNoReply() throws Exception {
    String service = kit.name("deadline");
    CountDownLatch busy = new CountDownLatch(1);
    CountDownLatch proceed = new CountDownLatch(1);
    List<Integer> handled = new CopyOnWriteArrayList<>();
    // One handler at a time: the first request holds it while the second one's deadline passes,
    // so the second reaches the responder (not just the broker) already expired.
    Subscription responder =
        kit.messaging()
            .respond(
                service,
                Question.class,
                (q, ctx) -> {
                  handled.add(q.id());
                  if (q.id() == 0) {
                    busy.countDown();
                    assertThat(proceed.await(kit.patience().toMillis(), TimeUnit.MILLISECONDS))
                        .isTrue();
                  }
                  return new Answer(q.id(), "answered");
                });
    Messaging client = kit.messaging();
    CompletableFuture<Answer> first =
        client.request(service, new Question(0, 0), Answer.class, kit.patience());
    assertThat(busy.await(kit.patience().toMillis(), TimeUnit.MILLISECONDS)).isTrue();

    CompletableFuture<Answer> late =
        client.request(service, new Question(1, 0), Answer.class, Duration.ofMillis(300));
    Throwable failure =
        catchThrowable(() -> late.get(kit.patience().toMillis(), TimeUnit.MILLISECONDS));
    assertThat(failure).hasCauseInstanceOf(RequestTimeoutException.class);
    proceed.countDown();

    assertThat(first.get(kit.patience().toMillis(), TimeUnit.MILLISECONDS).id()).isZero();
    kit.await().untilAsserted(() -> assertThat(responder.stats().expired()).isEqualTo(1));
    Answer after =
        client
            .request(service, new Question(2, 0), Answer.class, kit.patience())
            .get(kit.patience().toMillis(), TimeUnit.MILLISECONDS);
    assertThat(after.id()).isEqualTo(2);
    assertThat(handled).as("requests the handler saw").containsExactly(0, 2);
    assertThat(client.droppedReplies()).as("replies nobody waited for").isZero();
    assertThat(client.pendingRequests()).isZero();
    assertThat(responder.stats().deadLettered()).isZero();
    kit.awaitSettled(responder);
  }

  @Test
  void nestedRequestInheritsTheRemainingBudgetOfTheRequestBeingHandled() throws Exception {
    Duration timeout = Duration.ofSeconds(5);
    Duration margin = Duration.ofMillis(200);
    String front = kit.name("front");
    String back = kit.name("back");
    AtomicReference<Duration> frontRemaining = new AtomicReference<>();
    AtomicReference<Instant> frontDeadline = new AtomicReference<>();
    AtomicReference<Duration> backRemaining = new AtomicReference<>();
    AtomicReference<Instant> backDeadline = new AtomicReference<>();
    Subscription backResponder =
        kit.messaging()
            .respond(
                back,
                Question.class,
                (q, ctx) -> {
                  if (q.id() > 0) {
                    backRemaining.set(ctx.remaining().orElseThrow());
                    backDeadline.set(ctx.envelope().deadline().orElseThrow());
                  }
                  return new Answer(q.id(), "back");
                });
    Messaging frontProcess = kit.messaging(b -> b.nestedRequestMargin(margin));
    Subscription frontResponder =
        frontProcess.respond(
            front,
            Question.class,
            (q, ctx) -> {
              if (q.id() > 0) {
                frontRemaining.set(ctx.remaining().orElseThrow());
                frontDeadline.set(ctx.envelope().deadline().orElseThrow());
              }
              // Asks for far more time than its caller has left: the inherited deadline must win.
              Answer inner =
                  frontProcess
                      .request(back, new Question(q.id(), 0), Answer.class, Duration.ofMinutes(10))
                      .get(kit.patience().toMillis(), TimeUnit.MILLISECONDS);
              return new Answer(q.id(), "front+" + inner.echo());
            });
    Messaging client = kit.messaging();
    // A first call opens the reply endpoints on the way, so the measured one pays for nothing.
    assertThat(
            client
                .request(front, new Question(0, 0), Answer.class, kit.patience())
                .get(kit.patience().toMillis(), TimeUnit.MILLISECONDS)
                .echo())
        .isEqualTo("front+back");

    Answer answer =
        client
            .request(front, new Question(1, 0), Answer.class, timeout)
            .get(kit.patience().toMillis(), TimeUnit.MILLISECONDS);

    assertThat(answer.echo()).isEqualTo("front+back");
    assertThat(frontRemaining.get()).isPositive().isLessThanOrEqualTo(timeout);
    assertThat(backDeadline.get())
        .as("deadline of the nested request")
        .isEqualTo(frontDeadline.get().minus(margin));
    assertThat(backRemaining.get())
        .as("time the nested responder had left")
        .isLessThan(frontRemaining.get())
        .isLessThanOrEqualTo(frontRemaining.get().minus(margin))
        .isLessThanOrEqualTo(timeout.minus(margin));
    assertThat(client.pendingRequests()).isZero();
    assertThat(frontProcess.pendingRequests()).isZero();
    kit.awaitSettled(frontResponder, backResponder);
  }

  @Test
  void requesterBreakerOpensAfterTimeoutsThenFailsFastWithoutPublishing() throws Exception {
    String service = kit.name("breaker");
    CircuitBreaker breaker =
        CircuitBreaker.of(
            service,
            CircuitBreakerConfig.custom()
                .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .slidingWindowSize(2)
                .minimumNumberOfCalls(2)
                .failureRateThreshold(50)
                .waitDurationInOpenState(Duration.ofMinutes(1))
                .build());
    // A responder that takes every request off the queue and never answers, written against the
    // SPI so that it counts each request that reaches the queue, expired or not.
    Transport silent = kit.transport();
    Destination queue = Destination.queue(service);
    List<String> arrived = new CopyOnWriteArrayList<>();
    silent.consume(
        new ConsumerSpec(queue, service, 1, 1, List.of()),
        (Delivery d) -> {
          arrived.add(d.message().envelope().id());
          return d.ack();
        });
    Messaging client =
        kit.messaging(
            b -> b.requestPolicy(service, RequestPolicy.builder().circuitBreaker(breaker).build()));

    for (int i = 0; i < 2; i++) {
      CompletableFuture<Answer> reply =
          client.request(service, new Question(i, 0), Answer.class, Duration.ofMillis(300));
      Throwable failure =
          catchThrowable(() -> reply.get(kit.patience().toMillis(), TimeUnit.MILLISECONDS));
      assertThat(failure).hasCauseInstanceOf(RequestTimeoutException.class);
    }
    kit.await()
        .untilAsserted(() -> assertThat(breaker.getState()).isEqualTo(CircuitBreaker.State.OPEN));
    kit.await().untilAsserted(() -> assertThat(arrived).hasSize(2));

    CompletableFuture<Answer> refused =
        client.request(service, new Question(2, 0), Answer.class, kit.patience());

    assertThat(refused).as("refused without waiting").isCompletedExceptionally();
    assertThat(catchThrowable(refused::join)).hasCauseInstanceOf(CircuitOpenException.class);
    assertThat(client.pendingRequests()).isZero();
    kit.holdFor(Duration.ofMillis(500))
        .untilAsserted(() -> assertThat(arrived).as("requests that reached the queue").hasSize(2));
  }

  @Test
  void bulkheadRefusesTheRequestBeyondItsLimitAtOnce() throws Exception {
    int limit = 3;
    String service = kit.name("bulkhead");
    List<Integer> arrived = new CopyOnWriteArrayList<>();
    Subscription responder =
        kit.messaging()
            .respond(
                service,
                Question.class,
                (q, ctx) -> {
                  arrived.add(q.id());
                  return new Answer(q.id(), "ok");
                });
    responder.pause();
    Messaging client = kit.messaging(b -> b.maxPendingRequests(limit));
    List<CompletableFuture<Answer>> inFlight = new ArrayList<>();
    for (int i = 0; i < limit; i++) {
      inFlight.add(client.request(service, new Question(i, 0), Answer.class, kit.patience()));
    }
    assertThat(client.pendingRequests()).isEqualTo(limit);

    CompletableFuture<Answer> refused =
        client.request(service, new Question(limit, 0), Answer.class, kit.patience());

    assertThat(refused).as("refused without waiting").isCompletedExceptionally();
    assertThat(catchThrowable(refused::join)).hasCauseInstanceOf(BulkheadFullException.class);
    assertThat(client.pendingRequests()).isEqualTo(limit);
    responder.resume();
    kit.joinAll(inFlight);
    for (int i = 0; i < limit; i++) {
      assertThat(inFlight.get(i).join().id()).isEqualTo(i);
    }
    assertThat(client.pendingRequests()).isZero();
    Answer afterwards =
        client
            .request(service, new Question(limit + 1, 0), Answer.class, kit.patience())
            .get(kit.patience().toMillis(), TimeUnit.MILLISECONDS);
    assertThat(afterwards.id()).as("a request once slots are free again").isEqualTo(limit + 1);
    List<Integer> sent = new ArrayList<>(IntStream.range(0, limit).boxed().toList());
    sent.add(limit + 1);
    assertThat(arrived).as("requests the responder saw").containsExactlyInAnyOrderElementsOf(sent);
    kit.awaitSettled(responder);
  }
}
