package dev.switchboard.testkit.conformance;

import static dev.switchboard.testkit.conformance.Fixtures.numbers;
import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.messaging.ConsumerOptions;
import dev.switchboard.messaging.ConsumerState;
import dev.switchboard.messaging.Jitter;
import dev.switchboard.messaging.Messaging;
import dev.switchboard.messaging.RetryPolicy;
import dev.switchboard.messaging.RetryableException;
import dev.switchboard.messaging.Subscription;
import dev.switchboard.testkit.conformance.TestMessages.Item;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Resilience: a circuit breaker keeps an outage downstream out of the dead-letter queue. */
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
}
