package dev.switchboard.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.switchboard.messaging.memory.InMemoryTransport;
import dev.switchboard.messaging.spi.Destination;
import dev.switchboard.messaging.time.VirtualTime;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ConsumerBreakerTest {
  record Job(int n) {}

  private final VirtualTime time = VirtualTime.create();
  private final InMemoryTransport transport = InMemoryTransport.builder().scheduler(time).build();
  private final Messaging messaging =
      Messaging.builder()
          .transport(transport)
          .scheduler(time)
          .executor(Runnable::run)
          .register("Job", Job.class)
          .build();
  private final CircuitBreaker breaker =
      CircuitBreaker.of(
          "downstream",
          CircuitBreakerConfig.custom()
              .slidingWindowSize(4)
              .minimumNumberOfCalls(2)
              .failureRateThreshold(50)
              .waitDurationInOpenState(Duration.ofSeconds(10))
              .permittedNumberOfCallsInHalfOpenState(2)
              .build());

  @AfterEach
  void close() {
    messaging.close();
  }

  private ConsumerOptions options(int concurrency) {
    return ConsumerOptions.builder()
        .concurrency(concurrency)
        .circuitBreaker(breaker)
        .retry(
            RetryPolicy.builder()
                .maxAttempts(3)
                .inProcessAttempts(3)
                .initialDelay(Duration.ofSeconds(1))
                .jitter(Jitter.NONE)
                .build())
        .build();
  }

  @Test
  void anOpenBreakerPausesConsumptionInsteadOfFillingTheDeadLetterQueue() {
    AtomicBoolean down = new AtomicBoolean(true);
    Set<Integer> handled = ConcurrentHashMap.newKeySet();
    Subscription s =
        messaging.consume(
            "jobs",
            Job.class,
            (job, ctx) -> {
              if (down.get()) {
                throw new IllegalStateException("downstream down");
              }
              handled.add(job.n());
            },
            options(1));
    for (int i = 0; i < 20; i++) {
      messaging.send("jobs", new Job(i)).join();
    }
    await().atMost(Duration.ofSeconds(5)).until(() -> s.stats().failures() >= 1);
    time.advance(Duration.ofSeconds(1)); // second failure opens the breaker
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> breaker.getState() == CircuitBreaker.State.OPEN);
    assertThat(s.state()).isEqualTo(ConsumerState.PAUSED_BY_BREAKER);
    assertThat(messaging.queueDeadLetters("jobs").count()).isZero();
    assertThat(transport.depth(Destination.queue("jobs"), "jobs")).isEqualTo(20);

    down.set(false);
    time.advance(Duration.ofSeconds(10));
    await().atMost(Duration.ofSeconds(5)).until(() -> handled.size() == 20);
    assertThat(breaker.getState()).isEqualTo(CircuitBreaker.State.CLOSED);
    assertThat(s.state()).isEqualTo(ConsumerState.RUNNING);
    assertThat(messaging.queueDeadLetters("jobs").count()).isZero();
  }

  @Test
  void halfOpenLetsExactlyThePermittedNumberOfTrialMessagesThrough() throws Exception {
    breaker.transitionToOpenState();
    AtomicInteger running = new AtomicInteger();
    AtomicInteger maxRunning = new AtomicInteger();
    CountDownLatch release = new CountDownLatch(1);
    Set<Integer> handled = ConcurrentHashMap.newKeySet();
    Subscription s =
        messaging.consume(
            "jobs",
            Job.class,
            (job, ctx) -> {
              maxRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
              release.await(10, TimeUnit.SECONDS);
              running.decrementAndGet();
              handled.add(job.n());
            },
            options(4));
    assertThat(s.state()).isEqualTo(ConsumerState.PAUSED_BY_BREAKER);
    for (int i = 0; i < 10; i++) {
      messaging.send("jobs", new Job(i)).join();
    }
    time.advance(Duration.ofSeconds(10));
    await().atMost(Duration.ofSeconds(5)).until(() -> running.get() == 2);
    await()
        .during(Duration.ofMillis(300))
        .atMost(Duration.ofSeconds(2))
        .until(() -> running.get() == 2);
    release.countDown();
    await().atMost(Duration.ofSeconds(5)).until(() -> handled.size() == 10);
    assertThat(maxRunning.get()).isGreaterThanOrEqualTo(2);
    assertThat(breaker.getState()).isEqualTo(CircuitBreaker.State.CLOSED);
  }

  @Test
  void fatalFailuresGoToTheDeadLetterQueueWithoutTrippingTheBreaker() {
    Subscription s =
        messaging.consume(
            "jobs",
            Job.class,
            (job, ctx) -> {
              throw new FatalMessageException("bad data " + job.n());
            },
            options(1));
    for (int i = 0; i < 6; i++) {
      messaging.send("jobs", new Job(i)).join();
    }
    DeadLetters dl = messaging.queueDeadLetters("jobs");
    await().atMost(Duration.ofSeconds(5)).until(() -> dl.count() == 6);
    assertThat(breaker.getState()).isEqualTo(CircuitBreaker.State.CLOSED);
    assertThat(s.state()).isEqualTo(ConsumerState.RUNNING);
  }

  @Test
  void aFatalTrialInHalfOpenFreesItsSlotAndConsumptionResumes() throws Exception {
    CircuitBreaker oneTrial =
        CircuitBreaker.of(
            "one-trial",
            CircuitBreakerConfig.custom()
                .slidingWindowSize(2)
                .minimumNumberOfCalls(1)
                .waitDurationInOpenState(Duration.ofSeconds(10))
                .permittedNumberOfCallsInHalfOpenState(1)
                .build());
    oneTrial.transitionToOpenState();
    Set<Integer> handled = ConcurrentHashMap.newKeySet();
    CountDownLatch trialStarted = new CountDownLatch(1);
    Subscription[] holder = new Subscription[1];
    holder[0] =
        messaging.consume(
            "jobs",
            Job.class,
            (job, ctx) -> {
              if (job.n() == 0) {
                trialStarted.countDown();
                // Hold the only trial slot until the other message has been refused.
                await()
                    .atMost(Duration.ofSeconds(5))
                    .until(() -> holder[0].state() == ConsumerState.PAUSED_BY_BREAKER);
                throw new FatalMessageException("bad data");
              }
              handled.add(job.n());
            },
            ConsumerOptions.builder().concurrency(2).circuitBreaker(oneTrial).build());
    messaging.send("jobs", new Job(0), SendOptions.key("a")).join();
    time.advance(Duration.ofSeconds(10));
    assertThat(trialStarted.await(5, TimeUnit.SECONDS)).isTrue();
    // Job 0 holds the only trial slot, so job 1 is refused and the consumer pauses.
    messaging.send("jobs", new Job(1), SendOptions.key("b")).join();
    await().atMost(Duration.ofSeconds(5)).until(() -> handled.contains(1));
    DeadLetters dl = messaging.queueDeadLetters("jobs");
    await().atMost(Duration.ofSeconds(5)).until(() -> dl.count() == 1);
    assertThat(oneTrial.getState()).isEqualTo(CircuitBreaker.State.CLOSED);
    assertThat(holder[0].state()).isEqualTo(ConsumerState.RUNNING);
  }

  @Test
  void messagesGivenBackByTheBreakerDoNotCountTowardTheDeliveryLimit() {
    AtomicBoolean down = new AtomicBoolean(true);
    Set<Integer> handled = ConcurrentHashMap.newKeySet();
    Subscription s =
        messaging.consume(
            "jobs",
            Job.class,
            (job, ctx) -> {
              if (down.get()) {
                throw new IllegalStateException("downstream down");
              }
              handled.add(job.n());
            },
            ConsumerOptions.builder()
                .circuitBreaker(breaker)
                .deliveryLimit(3)
                .retry(RetryPolicy.builder().maxAttempts(3).inProcessAttempts(3).build())
                .build());
    for (int i = 0; i < 5; i++) {
      messaging.send("jobs", new Job(i), SendOptions.key("same-key")).join();
    }
    // Ten open/half-open cycles, each giving the head message back to the broker.
    for (int cycle = 0; cycle < 10; cycle++) {
      // Each poll moves virtual time on by 200 ms, so in-process retries run until it opens.
      await()
          .atMost(Duration.ofSeconds(5))
          .until(
              () -> {
                time.advance(Duration.ofMillis(200));
                return breaker.getState() == CircuitBreaker.State.OPEN;
              });
      time.advance(Duration.ofSeconds(10));
    }
    down.set(false);
    // The trial that failed last may reopen the breaker once more; keep time moving.
    await()
        .atMost(Duration.ofSeconds(5))
        .until(
            () -> {
              time.advance(Duration.ofSeconds(1));
              return handled.size() == 5;
            });
    assertThat(messaging.queueDeadLetters("jobs").count()).isZero();
    assertThat(s.stats().released()).isGreaterThanOrEqualTo(10);
  }
}
