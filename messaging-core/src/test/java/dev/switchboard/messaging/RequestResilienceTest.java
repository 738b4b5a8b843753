package dev.switchboard.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.switchboard.messaging.memory.InMemoryTransport;
import dev.switchboard.messaging.spi.Destination;
import dev.switchboard.messaging.time.VirtualTime;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RequestResilienceTest {
  record Ask(String q) {}

  record Answer(String a) {}

  private final VirtualTime time = VirtualTime.create();
  private final InMemoryTransport transport = InMemoryTransport.builder().scheduler(time).build();
  private final CircuitBreaker breaker =
      CircuitBreaker.of(
          "quotes",
          CircuitBreakerConfig.custom()
              .slidingWindowSize(2)
              .minimumNumberOfCalls(2)
              .failureRateThreshold(50)
              .waitDurationInOpenState(Duration.ofSeconds(30))
              .build());
  private final Messaging messaging =
      Messaging.builder()
          .transport(transport)
          .scheduler(time)
          .executor(Runnable::run)
          .register("Ask", Ask.class)
          .register("Answer", Answer.class)
          .maxPendingRequests(3)
          .requestPolicy("quotes", RequestPolicy.builder().circuitBreaker(breaker).build())
          .requestPolicy(
              "retried",
              RequestPolicy.builder()
                  .maxAttempts(3)
                  .attemptTimeout(Duration.ofSeconds(1))
                  .backoff(Duration.ofMillis(100))
                  .build())
          .build();

  @AfterEach
  void close() {
    messaging.close();
  }

  private static Throwable failure(CompletableFuture<?> f) {
    return f.handle((v, e) -> RetryPolicy.unwrap(e)).join();
  }

  @Test
  void anOpenRequestBreakerFailsFastWithoutPublishing() {
    var first = messaging.request("quotes", new Ask("a"), Answer.class, Duration.ofSeconds(2));
    var second = messaging.request("quotes", new Ask("b"), Answer.class, Duration.ofSeconds(2));
    time.advance(Duration.ofSeconds(2));
    assertThat(failure(first)).isInstanceOf(RequestTimeoutException.class);
    assertThat(failure(second)).isInstanceOf(RequestTimeoutException.class);
    assertThat(breaker.getState()).isEqualTo(CircuitBreaker.State.OPEN);
    int queued = transport.depth(Destination.queue("quotes"), "quotes");

    var third = messaging.request("quotes", new Ask("c"), Answer.class, Duration.ofSeconds(2));
    assertThat(third).isCompletedExceptionally();
    assertThat(failure(third)).isInstanceOf(CircuitOpenException.class);
    assertThat(transport.depth(Destination.queue("quotes"), "quotes")).isEqualTo(queued);
    assertThat(messaging.pendingRequests()).isZero();
  }

  @Test
  void retriedRequestsReuseTheirIdAndAnyReplyCompletesTheCall() {
    var reply = messaging.request("retried", new Ask("q"), Answer.class, Duration.ofSeconds(10));
    time.advance(Duration.ofSeconds(1)); // attempt 1 times out; attempt 2 after the backoff
    time.advance(Duration.ofMillis(100));
    time.advance(Duration.ofSeconds(1));
    time.advance(Duration.ofMillis(100)); // attempt 3 sent
    assertThat(transport.depth(Destination.queue("retried"), "retried")).isEqualTo(3);
    List<String> ids = new CopyOnWriteArrayList<>();
    messaging.respond(
        "retried",
        Ask.class,
        (ask, ctx) -> {
          ids.add(ctx.envelope().id());
          return new Answer("ok");
        });
    await().atMost(Duration.ofSeconds(5)).until(() -> ids.size() == 3);
    assertThat(reply.join().a()).isEqualTo("ok");
    assertThat(ids).containsOnly(ids.get(0));
    await().atMost(Duration.ofSeconds(5)).until(() -> messaging.droppedReplies() == 2);
    assertThat(messaging.pendingRequests()).isZero();
  }

  @Test
  void theBulkheadRefusesRequestsBeyondItsLimitAtOnce() {
    for (int i = 0; i < 3; i++) {
      messaging.request("slow", new Ask("q" + i), Answer.class, Duration.ofSeconds(5));
    }
    var refused = messaging.request("slow", new Ask("q3"), Answer.class, Duration.ofSeconds(5));
    assertThat(refused).isCompletedExceptionally();
    assertThat(failure(refused)).isInstanceOf(BulkheadFullException.class);
    time.advance(Duration.ofSeconds(5));
    assertThat(messaging.pendingRequests()).isZero();
  }

  @Test
  void aNestedRequestInheritsTheRemainingBudgetMinusTheMargin() {
    List<Duration> nestedBudget = new CopyOnWriteArrayList<>();
    messaging.respond(
        "tax",
        Ask.class,
        (ask, ctx) -> {
          nestedBudget.add(ctx.remaining().orElseThrow());
          return new Answer("tax");
        });
    messaging.respond(
        "price",
        Ask.class,
        (ask, ctx) ->
            messaging
                .request("tax", ask, Answer.class, Duration.ofMinutes(1))
                .thenApply(a -> new Answer("price+" + a.a()))
                .join());
    var reply = messaging.request("price", new Ask("p"), Answer.class, Duration.ofSeconds(2));
    assertThat(reply.join().a()).isEqualTo("price+tax");
    // Virtual time stands still: the nested call sees exactly 2 s minus the 50 ms margin.
    assertThat(nestedBudget).containsExactly(Duration.ofMillis(1950));
  }

  @Test
  void aRequestPastItsDeadlineIsNotHandledAndGetsNoReply() {
    List<String> handled = new CopyOnWriteArrayList<>();
    var reply = messaging.request("late", new Ask("q"), Answer.class, Duration.ofSeconds(1));
    time.advance(Duration.ofSeconds(2));
    assertThat(failure(reply)).isInstanceOf(RequestTimeoutException.class);
    Subscription responder =
        messaging.respond(
            "late",
            Ask.class,
            (ask, ctx) -> {
              handled.add(ask.q());
              return new Answer("too late");
            });
    await().atMost(Duration.ofSeconds(5)).until(() -> responder.stats().expired() == 1);
    assertThat(handled).isEmpty();
    assertThat(messaging.droppedReplies()).isZero();
  }

  @Test
  void aRequestThatFailsBeforeSendingGivesBackItsBulkheadSlot() {
    for (int i = 0; i < 5; i++) {
      var refused = messaging.request("quotes", new Object(), Answer.class, Duration.ofSeconds(1));
      assertThat(failure(refused)).isInstanceOf(ConfigurationException.class);
    }
    assertThat(messaging.pendingRequests()).isZero();
    assertThat(breaker.getMetrics().getNumberOfBufferedCalls()).isZero();
    var accepted = messaging.request("slow", new Ask("q"), Answer.class, Duration.ofSeconds(1));
    assertThat(accepted).isNotDone();
  }

  @Test
  void theBreakerHasRecordedTheOutcomeBeforeTheCallerSeesIt() {
    var first = messaging.request("quotes", new Ask("a"), Answer.class, Duration.ofSeconds(1));
    var second = messaging.request("quotes", new Ask("b"), Answer.class, Duration.ofSeconds(1));
    // A dependent stage runs the moment the caller's future completes.
    var stateSeenByCaller = second.handle((v, e) -> breaker.getState());
    time.advance(Duration.ofSeconds(1));
    assertThat(failure(first)).isInstanceOf(RequestTimeoutException.class);
    assertThat(stateSeenByCaller.join()).isEqualTo(CircuitBreaker.State.OPEN);
  }
}
