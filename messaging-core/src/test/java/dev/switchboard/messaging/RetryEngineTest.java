package dev.switchboard.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.switchboard.messaging.memory.InMemoryTransport;
import dev.switchboard.messaging.time.VirtualTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The retry engine on virtual time: every delay is exact and no test waits for real backoff.
 * Awaitility only waits for the in-memory worker thread to pick up a message.
 */
class RetryEngineTest {
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
  private final List<Instant> attempts = new CopyOnWriteArrayList<>();
  private final List<Integer> attemptNumbers = new CopyOnWriteArrayList<>();

  @AfterEach
  void close() {
    messaging.close();
  }

  private ConsumerOptions retrying(int max, int inProcess) {
    return ConsumerOptions.builder()
        .retry(
            RetryPolicy.builder()
                .maxAttempts(max)
                .inProcessAttempts(inProcess)
                .initialDelay(Duration.ofSeconds(1))
                .multiplier(2)
                .maxDelay(Duration.ofSeconds(60))
                .jitter(Jitter.NONE)
                .build())
        .build();
  }

  private MessageHandler<Job> failing(int failures) {
    AtomicInteger calls = new AtomicInteger();
    return (job, ctx) -> {
      attempts.add(time.now());
      attemptNumbers.add(ctx.attempt());
      if (calls.incrementAndGet() <= failures) {
        throw new IllegalStateException("downstream unavailable");
      }
    };
  }

  private void awaitAttempts(int n) {
    await().atMost(Duration.ofSeconds(5)).until(() -> attempts.size() >= n);
  }

  @Test
  void inProcessRetriesWaitExactlyTheBackoff() {
    Subscription s = messaging.consume("jobs", Job.class, failing(2), retrying(5, 5));
    Instant start = time.now();
    messaging.send("jobs", new Job(1)).join();
    awaitAttempts(1);
    time.advance(Duration.ofMillis(999));
    assertThat(attempts).hasSize(1);
    time.advance(Duration.ofMillis(1));
    assertThat(attempts).hasSize(2);
    time.advance(Duration.ofSeconds(2));
    awaitAttempts(3);
    assertThat(attempts).containsExactly(start, start.plusSeconds(1), start.plusSeconds(3));
    assertThat(attemptNumbers).containsExactly(1, 2, 3);
    await().until(() -> s.stats().handled() == 1);
    assertThat(s.stats().retried()).isEqualTo(2);
    assertThat(messaging.queueDeadLetters("jobs").count()).isZero();
  }

  @Test
  void brokerTierCarriesTheAttemptNumberOnTheMessage() {
    Subscription s = messaging.consume("jobs", Job.class, failing(3), retrying(5, 1));
    messaging.send("jobs", new Job(1)).join();
    awaitAttempts(1);
    time.advance(Duration.ofSeconds(1));
    awaitAttempts(2);
    time.advance(Duration.ofSeconds(2));
    awaitAttempts(3);
    time.advance(Duration.ofSeconds(4));
    awaitAttempts(4);
    assertThat(attemptNumbers).containsExactly(1, 2, 3, 4);
    await().until(() -> s.stats().handled() == 1);
  }

  @Test
  void exhaustedRetriesDeadLetterWithTheAttemptCount() {
    messaging.consume("jobs", Job.class, failing(100), retrying(3, 3));
    messaging.send("jobs", new Job(7)).join();
    awaitAttempts(1);
    time.advance(Duration.ofSeconds(1));
    time.advance(Duration.ofSeconds(2));
    DeadLetters dl = messaging.queueDeadLetters("jobs");
    await().until(() -> dl.count() == 1);
    Failure f = dl.browse(1).get(0).failure().orElseThrow();
    assertThat(f.attempts()).isEqualTo(3);
    assertThat(f.reason()).isEqualTo(FailureReason.EXCEPTION);
    assertThat(f.rootCauseMessage()).isEqualTo("downstream unavailable");
    assertThat(Duration.between(f.firstFailure(), f.lastFailure()))
        .isEqualTo(Duration.ofSeconds(3));
    assertThat(attempts).hasSize(3);
  }

  @Test
  void noAttemptIsScheduledPastTheMessageDeadline() {
    messaging.consume("jobs", Job.class, failing(100), retrying(10, 10));
    messaging
        .send("jobs", new Job(1), SendOptions.builder().ttl(Duration.ofMillis(2500)).build())
        .join();
    awaitAttempts(1);
    time.advance(Duration.ofSeconds(1)); // attempt 2 at 1 s; the next would be at 3 s > 2.5 s
    DeadLetters dl = messaging.queueDeadLetters("jobs");
    await().until(() -> dl.count() == 1);
    assertThat(attempts).hasSize(2);
    assertThat(time.pendingTasks()).isZero();
  }

  @Test
  void theOverallRetryTimeCapsAllTiers() {
    ConsumerOptions capped =
        ConsumerOptions.builder()
            .retry(
                RetryPolicy.builder()
                    .maxAttempts(50)
                    .inProcessAttempts(2)
                    .initialDelay(Duration.ofSeconds(1))
                    .jitter(Jitter.NONE)
                    .maxRetryTime(Duration.ofSeconds(5))
                    .build())
            .build();
    messaging.consume("jobs", Job.class, failing(100), capped);
    messaging.send("jobs", new Job(1)).join();
    awaitAttempts(1);
    time.advance(Duration.ofSeconds(1));
    awaitAttempts(2);
    time.advance(Duration.ofSeconds(2)); // broker tier, attempt 3 at 3 s
    awaitAttempts(3);
    DeadLetters dl = messaging.queueDeadLetters("jobs");
    await().until(() -> dl.count() == 1); // attempt 4 would be at 7 s, past the 5 s cap
    assertThat(attempts).hasSize(3);
  }

  @Test
  void fatalFailuresAreDeadLetteredOnTheFirstAttempt() {
    AtomicInteger calls = new AtomicInteger();
    messaging.consume(
        "jobs",
        Job.class,
        (job, ctx) -> {
          calls.incrementAndGet();
          throw new IllegalArgumentException("invalid job");
        },
        ConsumerOptions.builder()
            .retry(RetryPolicy.builder().fatalOn(IllegalArgumentException.class).build())
            .build());
    messaging.send("jobs", new Job(1)).join();
    DeadLetters dl = messaging.queueDeadLetters("jobs");
    await().until(() -> dl.count() == 1);
    assertThat(calls).hasValue(1);
    assertThat(dl.browse(1).get(0).failure().orElseThrow().attempts()).isEqualTo(1);
  }

  @Test
  void expiredMessagesAreDeadLetteredWithoutCallingTheHandler() {
    messaging.consume("jobs", Job.class, failing(0));
    messaging
        .send(
            "jobs", new Job(1), SendOptions.builder().deadline(time.now().minusSeconds(1)).build())
        .join();
    DeadLetters dl = messaging.queueDeadLetters("jobs");
    await().until(() -> dl.count() == 1);
    assertThat(dl.browse(1).get(0).failure().orElseThrow().reason())
        .isEqualTo(FailureReason.EXPIRED);
    assertThat(attempts).isEmpty();
  }

  @Test
  void requestsTimeOutOnTheSchedulerAndLeaveNoPendingEntry() {
    var reply = messaging.request("nobody", new Job(1), Job.class, Duration.ofSeconds(5));
    time.advance(Duration.ofMillis(4999));
    assertThat(reply).isNotDone();
    time.advance(Duration.ofMillis(1));
    assertThat(reply).isCompletedExceptionally();
    assertThat(reply.handle((v, e) -> e).join()).isInstanceOf(RequestTimeoutException.class);
    assertThat(messaging.pendingRequests()).isZero();
  }

  @Test
  void aClassifierThatThrowsIsTreatedAsRetryableAndTheConsumerCarriesOn() {
    ConsumerOptions options =
        ConsumerOptions.builder()
            .retry(
                RetryPolicy.builder()
                    .maxAttempts(2)
                    .initialDelay(Duration.ofSeconds(1))
                    .jitter(Jitter.NONE)
                    .fatalWhen(t -> t.getMessage().contains("poison")) // NPE on a null message
                    .build())
            .build();
    AtomicInteger calls = new AtomicInteger();
    messaging.consume(
        "jobs",
        Job.class,
        (job, ctx) -> {
          if (job.n() == 1 && calls.incrementAndGet() == 1) {
            throw new IllegalStateException();
          }
          attempts.add(time.now());
        },
        options);
    messaging.send("jobs", new Job(1)).join();
    await().until(() -> calls.get() == 1);
    time.advance(Duration.ofSeconds(1));
    awaitAttempts(1);
    messaging.send("jobs", new Job(2)).join();
    awaitAttempts(2);
  }

  @Test
  void anUnboundedRetryTimeDoesNotOverflow() {
    ConsumerOptions forever =
        ConsumerOptions.builder()
            .retry(
                RetryPolicy.builder()
                    .maxAttempts(3)
                    .initialDelay(Duration.ofSeconds(1))
                    .jitter(Jitter.NONE)
                    .maxRetryTime(java.time.temporal.ChronoUnit.FOREVER.getDuration())
                    .build())
            .build();
    Subscription s = messaging.consume("jobs", Job.class, failing(1), forever);
    messaging.send("jobs", new Job(1)).join();
    awaitAttempts(1);
    time.advance(Duration.ofSeconds(1));
    await().until(() -> s.stats().handled() == 1);
  }

  @Test
  void closingDuringAnInProcessRetryGivesTheMessageBackOnce() {
    Subscription first = messaging.consume("jobs", Job.class, failing(1), retrying(5, 5));
    messaging.send("jobs", new Job(1)).join();
    awaitAttempts(1);
    first.close();
    assertThat(time.pendingTasks()).isZero();
    List<Integer> second = new CopyOnWriteArrayList<>();
    messaging.consume("jobs", Job.class, (job, ctx) -> second.add(ctx.attempt()));
    await().until(() -> second.size() == 1);
    time.advance(Duration.ofSeconds(10)); // a stray retry timer would fire here
    assertThat(second).containsExactly(1);
    assertThat(attempts).hasSize(1);
  }
}
