package dev.switchboard.testkit.conformance;

import static dev.switchboard.testkit.conformance.Fixtures.numbers;
import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.messaging.ConsumerOptions;
import dev.switchboard.messaging.ConsumerState;
import dev.switchboard.messaging.DeadLetter;
import dev.switchboard.messaging.DeadLetters;
import dev.switchboard.messaging.FailureReason;
import dev.switchboard.messaging.FatalMessageException;
import dev.switchboard.messaging.Jitter;
import dev.switchboard.messaging.Messaging;
import dev.switchboard.messaging.RetryPolicy;
import dev.switchboard.messaging.RetryableException;
import dev.switchboard.messaging.SendOptions;
import dev.switchboard.messaging.Subscription;
import dev.switchboard.testkit.conformance.TestMessages.Item;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.event.CircuitBreakerOnStateTransitionEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Resilience on the consumer side: a circuit breaker keeps an outage downstream out of the
 * dead-letter queue, half-open lets through only its trial messages, and bad data never trips it.
 */
public abstract class ResilienceConformance {
  @RegisterExtension
  @Order(1)
  final LogCheck logs = new LogCheck();

  @RegisterExtension
  @Order(2)
  final Kit kit = new Kit(this::target);

  /** The transport under test. */
  protected abstract ConformanceTarget target();

  @Test
  @AllowWarnings("the downstream fails on purpose and the breaker opens, both reported as warnings")
  void openBreakerPausesConsumptionSoAnOutageDeadLettersNothing() {
    int count = 20;
    String topic = kit.name("breaker");
    String group = kit.name("g");
    CircuitBreaker breaker =
        CircuitBreaker.of(
            group,
            CircuitBreakerConfig.custom()
                .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .slidingWindowSize(4)
                .minimumNumberOfCalls(4)
                .failureRateThreshold(50)
                .waitDurationInOpenState(Duration.ofMillis(300))
                .permittedNumberOfCallsInHalfOpenState(1)
                .build());
    // Few attempts: without the breaker, the outage would exhaust them and dead-letter messages.
    RetryPolicy policy =
        RetryPolicy.builder()
            .maxAttempts(5)
            .inProcessAttempts(5)
            .initialDelay(Duration.ofMillis(50))
            .jitter(Jitter.NONE)
            .build();
    AtomicBoolean downstreamUp = new AtomicBoolean(false);
    AtomicInteger failedCalls = new AtomicInteger();
    Tally handled = new Tally();
    Messaging m = kit.messaging();
    Subscription sub =
        m.subscribe(
            topic,
            group,
            Item.class,
            (item, ctx) -> {
              if (!downstreamUp.get()) {
                failedCalls.incrementAndGet();
                throw new RetryableException("downstream unavailable");
              }
              handled.record(item.n());
            },
            ConsumerOptions.builder().retry(policy).circuitBreaker(breaker).build());

    kit.publishItems(kit.messaging(), topic, count);

    kit.await()
        .untilAsserted(() -> assertThat(sub.state()).isEqualTo(ConsumerState.PAUSED_BY_BREAKER));
    assertThat(breaker.getState()).isIn(CircuitBreaker.State.OPEN, CircuitBreaker.State.HALF_OPEN);
    // The outage lasts through several open periods, each ending in a failed trial.
    kit.await().untilAsserted(() -> assertThat(failedCalls.get()).isGreaterThanOrEqualTo(7));
    assertThat(handled.calls()).isZero();
    downstreamUp.set(true);

    kit.await().untilAsserted(() -> assertThat(handled.numbers()).isEqualTo(numbers(count)));
    assertThat(handled.duplicates()).isEmpty();
    assertThat(m.deadLetters(topic, group).browse(10)).isEmpty();
    assertThat(sub.stats().deadLettered()).isZero();
    kit.await().untilAsserted(() -> assertThat(sub.state()).isEqualTo(ConsumerState.RUNNING));
    assertThat(breaker.getState()).isEqualTo(CircuitBreaker.State.CLOSED);
  }

  @Test
  @AllowWarnings("the downstream fails on purpose and the breaker opens, both reported as warnings")
  void fiveSecondOutageDeadLettersNothingEvenForMessagesOfOneKeyWithALowDeliveryLimit() {
    int sameKey = 10;
    int count = 20;
    int deliveryLimit = 5;
    Duration outage = Duration.ofSeconds(5);
    String queue = kit.name("outage");
    CircuitBreaker breaker =
        CircuitBreaker.of(
            queue,
            CircuitBreakerConfig.custom()
                .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .slidingWindowSize(4)
                .minimumNumberOfCalls(2)
                .failureRateThreshold(50)
                .waitDurationInOpenState(Duration.ofMillis(300))
                .permittedNumberOfCallsInHalfOpenState(1)
                .build());
    // Three attempts and a delivery limit of five: an outage of several open periods would use
    // up both many times over if give-backs were counted as attempts or as deliveries.
    RetryPolicy policy =
        RetryPolicy.builder()
            .maxAttempts(3)
            .inProcessAttempts(3)
            .initialDelay(Duration.ofMillis(50))
            .jitter(Jitter.NONE)
            .build();
    AtomicInteger failedCalls = new AtomicInteger();
    Tally handled = new Tally();
    long recoversAt = System.nanoTime() + outage.toNanos();
    Messaging m = kit.messaging();
    Subscription sub =
        m.consume(
            queue,
            Item.class,
            (item, ctx) -> {
              if (System.nanoTime() - recoversAt < 0) {
                failedCalls.incrementAndGet();
                throw new RetryableException("downstream unavailable");
              }
              handled.record(item.n());
            },
            ConsumerOptions.builder()
                .concurrency(2)
                .retry(policy)
                .circuitBreaker(breaker)
                .deliveryLimit(deliveryLimit)
                .build());
    Messaging producer = kit.messaging();

    List<CompletableFuture<?>> sent = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      String key = i < sameKey ? "one-key" : "key-" + i;
      sent.add(producer.send(queue, new Item(i), SendOptions.key(key)));
    }
    kit.joinAll(sent);

    kit.await()
        .untilAsserted(() -> assertThat(sub.state()).isEqualTo(ConsumerState.PAUSED_BY_BREAKER));
    kit.await()
        .atMost(outage.plus(kit.patience()))
        .failFast(
            "a message was dead-lettered",
            () -> assertThat(sub.stats().deadLettered()).as("dead-lettered").isZero())
        .untilAsserted(() -> assertThat(handled.numbers()).isEqualTo(numbers(count)));
    assertThat(failedCalls.get()).as("handler calls that failed during the outage").isPositive();
    assertThat(handled.duplicates()).isEmpty();
    assertThat(m.queueDeadLetters(queue).browse(10)).isEmpty();
    assertThat(sub.stats().deadLettered()).isZero();
    assertThat(sub.stats().released())
        .as("messages given back unhandled while the breaker was open")
        .isGreaterThan(deliveryLimit);
    kit.await().untilAsserted(() -> assertThat(sub.state()).isEqualTo(ConsumerState.RUNNING));
    assertThat(breaker.getState()).isEqualTo(CircuitBreaker.State.CLOSED);
  }

  @Test
  void halfOpenBreakerLetsExactlyItsPermittedTrialMessagesThrough() throws Exception {
    int trials = 2;
    int concurrency = 4;
    int count = 12;
    String queue = kit.name("half-open");
    CircuitBreaker breaker =
        CircuitBreaker.of(
            queue,
            CircuitBreakerConfig.custom()
                .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .slidingWindowSize(4)
                .minimumNumberOfCalls(2)
                .waitDurationInOpenState(Duration.ofMillis(300))
                .permittedNumberOfCallsInHalfOpenState(trials)
                .build());
    breaker.transitionToOpenState();
    AtomicInteger calls = new AtomicInteger();
    AtomicInteger running = new AtomicInteger();
    AtomicInteger mostAtOnce = new AtomicInteger();
    CountDownLatch release = new CountDownLatch(1);
    Tally handled = new Tally();
    Messaging m = kit.messaging();
    Subscription sub =
        m.consume(
            queue,
            Item.class,
            (item, ctx) -> {
              calls.incrementAndGet();
              mostAtOnce.accumulateAndGet(running.incrementAndGet(), Math::max);
              try {
                // Trials stay in the handler until the test has counted them.
                assertThat(release.await(kit.patience().toMillis(), TimeUnit.MILLISECONDS))
                    .isTrue();
                handled.record(item.n());
              } finally {
                running.decrementAndGet();
              }
            },
            ConsumerOptions.builder().concurrency(concurrency).circuitBreaker(breaker).build());

    kit.sendItems(kit.messaging(), queue, count);

    kit.await().untilAsserted(() -> assertThat(running).hasValue(trials));
    assertThat(breaker.getState()).isEqualTo(CircuitBreaker.State.HALF_OPEN);
    kit.holdFor(Duration.ofMillis(500)).untilAsserted(() -> assertThat(calls).hasValue(trials));
    assertThat(mostAtOnce).as("handlers running at once during the trial").hasValue(trials);
    assertThat(handled.calls()).isZero();
    release.countDown();

    kit.await()
        .untilAsserted(
            () ->
                assertThat(handled.numbers())
                    .as(() -> "jobs handled; consumer stats " + sub.stats())
                    .isEqualTo(numbers(count)));
    assertThat(handled.duplicates()).isEmpty();
    assertThat(breaker.getState()).isEqualTo(CircuitBreaker.State.CLOSED);
    kit.await().untilAsserted(() -> assertThat(sub.state()).isEqualTo(ConsumerState.RUNNING));
    assertThat(m.queueDeadLetters(queue).browse(10)).isEmpty();
  }

  @Test
  @AllowWarnings("the handler rejects bad data on purpose, which the toolkit reports")
  void fatalFailuresAreDeadLetteredWithoutTrippingTheBreaker() {
    int bad = 6;
    String queue = kit.name("fatal-breaker");
    CircuitBreaker breaker =
        CircuitBreaker.of(
            queue,
            CircuitBreakerConfig.custom()
                .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .slidingWindowSize(4)
                .minimumNumberOfCalls(2)
                .failureRateThreshold(50)
                .waitDurationInOpenState(Duration.ofMillis(300))
                .build());
    List<CircuitBreakerOnStateTransitionEvent> transitions = new CopyOnWriteArrayList<>();
    breaker.getEventPublisher().onStateTransition(transitions::add);
    Tally handled = new Tally();
    Messaging m = kit.messaging();
    Subscription sub =
        m.consume(
            queue,
            Item.class,
            (item, ctx) -> {
              if (item.n() < bad) {
                throw new FatalMessageException("item " + item.n() + " is bad data");
              }
              handled.record(item.n());
            },
            ConsumerOptions.builder().circuitBreaker(breaker).build());

    kit.sendItems(kit.messaging(), queue, bad);

    DeadLetters dlq = m.queueDeadLetters(queue);
    kit.await().untilAsserted(() -> assertThat(dlq.browse(bad + 10)).hasSize(bad));
    assertThat(dlq.browse(bad + 10))
        .extracting(DeadLetter::failure)
        .allSatisfy(
            f ->
                assertThat(f)
                    .hasValueSatisfying(
                        failure -> {
                          assertThat(failure.reason()).isEqualTo(FailureReason.EXCEPTION);
                          assertThat(failure.attempts()).isEqualTo(1);
                        }));
    assertThat(breaker.getState()).isEqualTo(CircuitBreaker.State.CLOSED);
    assertThat(transitions).as("breaker state transitions").isEmpty();
    assertThat(breaker.getMetrics().getNumberOfFailedCalls()).isZero();
    assertThat(sub.state()).isEqualTo(ConsumerState.RUNNING);

    kit.get(m.send(queue, new Item(bad)));
    kit.await().untilAsserted(() -> assertThat(handled.numbers()).containsExactly(bad));
    assertThat(dlq.browse(bad + 10)).hasSize(bad);
  }
}
