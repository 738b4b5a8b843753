package dev.switchboard.testkit.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.messaging.ConsumerOptions;
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
import dev.switchboard.messaging.spi.Capability;
import dev.switchboard.testkit.conformance.TestMessages.Item;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Retries: attempt numbers, the delay before each attempt in both tiers, classification of fatal
 * failures, and the attempt count travelling with the message across a consumer restart.
 *
 * <p>Delays are real and short. A retry must never come before its delay (checked strictly); how
 * much later it may come is only bounded by the target's patience.
 */
public abstract class RetryConformance {
  @RegisterExtension
  @Order(1)
  final LogCheck logs = new LogCheck();

  @RegisterExtension
  @Order(2)
  final Kit kit = new Kit(this::target);

  /** The transport under test. */
  protected abstract ConformanceTarget target();

  /** One handler call: the attempt it saw and when it started and ended, in nanoseconds. */
  record Call(int attempt, String id, long startNanos, long endNanos) {}

  @Test
  @AllowWarnings("the handler fails on purpose, which the toolkit reports as a warning")
  void failingTwiceThenSucceedingTakesThreeAttemptsEachAfterItsDelay() {
    Duration initial = Duration.ofMillis(100);
    RetryPolicy policy =
        RetryPolicy.builder()
            .maxAttempts(5)
            .inProcessAttempts(5)
            .initialDelay(initial)
            .multiplier(2)
            .jitter(Jitter.NONE)
            .build();
    List<Call> calls = runFailingTimes(2, policy);

    assertThat(calls).extracting(Call::attempt).containsExactly(1, 2, 3);
    assertThat(calls).extracting(Call::id).containsOnly(calls.get(0).id());
    assertGaps(calls, List.of(initial, initial.multipliedBy(2)));
  }

  @Test
  @AllowWarnings("the handler fails on purpose, which the toolkit reports as a warning")
  void attemptsPastTheInProcessTierComeBackThroughTheBrokerAfterTheirDelay() {
    Duration initial = Duration.ofMillis(150);
    RetryPolicy policy =
        RetryPolicy.builder()
            .maxAttempts(4)
            .inProcessAttempts(1)
            .initialDelay(initial)
            .multiplier(2)
            .jitter(Jitter.NONE)
            .build();
    List<Call> calls = runFailingTimes(2, policy);

    assertThat(calls).extracting(Call::attempt).containsExactly(1, 2, 3);
    assertThat(calls).extracting(Call::id).containsOnly(calls.get(0).id());
    assertGaps(calls, List.of(initial, initial.multipliedBy(2)));
  }

  @Test
  @AllowWarnings("the handler fails on purpose, which the toolkit reports as a warning")
  void messageThatKeepsFailingIsDeadLetteredAfterItsLastAttempt() {
    RetryPolicy policy =
        RetryPolicy.builder()
            .maxAttempts(3)
            .inProcessAttempts(2)
            .initialDelay(Duration.ofMillis(50))
            .jitter(Jitter.NONE)
            .build();
    String topic = kit.name("exhausted");
    String group = kit.name("g");
    List<Integer> attempts = new CopyOnWriteArrayList<>();
    Messaging m = kit.messaging();
    m.subscribe(
        topic,
        group,
        Item.class,
        (item, ctx) -> {
          attempts.add(ctx.attempt());
          throw new RetryableException("downstream still unavailable");
        },
        ConsumerOptions.builder().retry(policy).build());

    m.publish(topic, new Item(1)).join();

    DeadLetter letter = awaitOneDeadLetter(m.deadLetters(topic, group));
    assertThat(attempts).containsExactly(1, 2, 3);
    assertThat(letter.failure())
        .hasValueSatisfying(
            f -> {
              assertThat(f.reason()).isEqualTo(FailureReason.EXCEPTION);
              assertThat(f.attempts()).isEqualTo(3);
              assertThat(f.exceptionClass()).isEqualTo(RetryableException.class.getName());
            });
  }

  @Test
  @AllowWarnings("the handler fails on purpose, which the toolkit reports as a warning")
  void fatalFailureIsDeadLetteredOnTheFirstAttempt() {
    String topic = kit.name("fatal");
    String group = kit.name("g");
    AtomicInteger calls = new AtomicInteger();
    Messaging m = kit.messaging();
    Subscription sub =
        m.subscribe(
            topic,
            group,
            Item.class,
            (item, ctx) -> {
              calls.incrementAndGet();
              throw new FatalMessageException("order " + item.n() + " refers to no customer");
            },
            ConsumerOptions.builder().retry(generousRetries()).build());

    m.publish(topic, new Item(9)).join();

    DeadLetter letter = awaitOneDeadLetter(m.deadLetters(topic, group));
    assertThat(calls).hasValue(1);
    assertThat(letter.failure())
        .hasValueSatisfying(
            f -> {
              assertThat(f.attempts()).isEqualTo(1);
              assertThat(f.exceptionClass()).isEqualTo(FatalMessageException.class.getName());
              assertThat(f.exceptionMessage()).isEqualTo("order 9 refers to no customer");
            });
    assertThat(sub.stats().retried()).isZero();
    assertThat(sub.stats().deadLettered()).isEqualTo(1);
  }

  @Test
  @AllowWarnings("the handler fails on purpose, which the toolkit reports as a warning")
  void failureThePolicyDeclaresFatalIsDeadLetteredOnTheFirstAttempt() {
    String topic = kit.name("policy-fatal");
    String group = kit.name("g");
    AtomicInteger calls = new AtomicInteger();
    Messaging m = kit.messaging();
    RetryPolicy policy =
        RetryPolicy.builder()
            .maxAttempts(5)
            .initialDelay(Duration.ofMillis(50))
            .fatalOn(IllegalArgumentException.class)
            .build();
    m.subscribe(
        topic,
        group,
        Item.class,
        (item, ctx) -> {
          calls.incrementAndGet();
          throw new IllegalArgumentException("quantity must be positive");
        },
        ConsumerOptions.builder().retry(policy).build());

    m.publish(topic, new Item(3)).join();

    DeadLetter letter = awaitOneDeadLetter(m.deadLetters(topic, group));
    assertThat(calls).hasValue(1);
    assertThat(letter.failure())
        .hasValueSatisfying(
            f -> {
              assertThat(f.attempts()).isEqualTo(1);
              assertThat(f.exceptionClass()).isEqualTo(IllegalArgumentException.class.getName());
            });
  }

  @Test
  @AllowWarnings("the handler fails on purpose, which the toolkit reports as a warning")
  void attemptNumberSurvivesARestartOfTheConsumer() {
    Duration delay = Duration.ofMillis(1500);
    RetryPolicy policy =
        RetryPolicy.builder()
            .maxAttempts(3)
            .inProcessAttempts(1)
            .initialDelay(delay)
            .jitter(Jitter.NONE)
            .build();
    ConsumerOptions options = ConsumerOptions.builder().retry(policy).build();
    String topic = kit.name("restart");
    String group = kit.name("g");
    List<Call> beforeRestart = new CopyOnWriteArrayList<>();
    List<Call> afterRestart = new CopyOnWriteArrayList<>();
    Messaging firstProcess = kit.messaging();
    Subscription first =
        firstProcess.subscribe(
            topic,
            group,
            Item.class,
            (item, ctx) -> {
              long start = System.nanoTime();
              beforeRestart.add(new Call(ctx.attempt(), ctx.envelope().id(), start, start));
              throw new RetryableException("not yet");
            },
            options);

    firstProcess.publish(topic, new Item(1)).join();
    // The failed attempt has been handed to the broker tier (and settled) before the restart.
    kit.await()
        .untilAsserted(
            () -> {
              assertThat(first.stats().retried()).isEqualTo(1);
              assertThat(first.stats().inFlight()).isZero();
            });
    firstProcess.close();
    kit.messaging()
        .subscribe(
            topic,
            group,
            Item.class,
            (item, ctx) -> {
              long start = System.nanoTime();
              afterRestart.add(new Call(ctx.attempt(), ctx.envelope().id(), start, start));
            },
            options);

    kit.await().untilAsserted(() -> assertThat(afterRestart).isNotEmpty());
    assertThat(beforeRestart).extracting(Call::attempt).containsExactly(1);
    assertThat(afterRestart).extracting(Call::attempt).containsExactly(2);
    assertThat(afterRestart.get(0).id()).isEqualTo(beforeRestart.get(0).id());
    assertThat(Duration.ofNanos(afterRestart.get(0).startNanos() - beforeRestart.get(0).endNanos()))
        .as("time between the failed attempt and the next")
        .isGreaterThanOrEqualTo(delay);
  }

  @Test
  @AllowWarnings("the handler fails on purpose, which the toolkit reports as a warning")
  void jitteredBrokerRedeliveryIsNotRoundedUpToAFixedDelay() {
    kit.require(Capability.ARBITRARY_REDELIVERY_DELAY);
    int messages = 8;
    Duration nominal = Duration.ofMillis(1200);
    RetryPolicy policy =
        RetryPolicy.builder()
            .maxAttempts(2)
            .inProcessAttempts(1)
            .initialDelay(nominal)
            .jitter(Jitter.FULL)
            .build();
    String topic = kit.name("jitter");
    Map<Integer, List<Call>> calls = new ConcurrentHashMap<>();
    Messaging m = kit.messaging();
    m.subscribe(
        topic,
        kit.name("g"),
        Item.class,
        (item, ctx) -> {
          long now = System.nanoTime();
          calls
              .computeIfAbsent(item.n(), k -> new CopyOnWriteArrayList<>())
              .add(new Call(ctx.attempt(), ctx.envelope().id(), now, now));
          if (ctx.attempt() == 1) {
            throw new RetryableException("first attempts always fail here");
          }
        },
        ConsumerOptions.builder().concurrency(messages).retry(policy).build());

    kit.publishItems(m, topic, messages);

    kit.await()
        .untilAsserted(
            () -> {
              assertThat(calls).hasSize(messages);
              assertThat(calls.values()).allSatisfy(list -> assertThat(list).hasSize(2));
            });
    List<Duration> gaps = new ArrayList<>();
    for (List<Call> list : calls.values()) {
      assertThat(list).extracting(Call::attempt).containsExactly(1, 2);
      gaps.add(Duration.ofNanos(list.get(1).startNanos() - list.get(0).endNanos()));
    }
    // Full jitter draws each delay uniformly below the nominal one; a transport that rounds up
    // to its fixed delay would make every gap at least the nominal delay. The chance that all
    // eight uniform draws land in the top quarter is about 1 in 65 000.
    Duration threeQuarters = nominal.multipliedBy(3).dividedBy(4);
    assertThat(gaps)
        .as("gaps before the second attempt")
        .anySatisfy(g -> assertThat(g).isLessThan(threeQuarters));
    assertThat(gaps).allSatisfy(g -> assertThat(g).isLessThan(nominal.plus(kit.patience())));
  }

  @Test
  @AllowWarnings("the handler fails on purpose, which the toolkit reports as a warning")
  void concurrencyBoundsHandlerCalls_evenWhileInProcessRetriesWait() throws Exception {
    String queue = kit.name("bounded");
    int messages = 3;
    AtomicInteger running = new AtomicInteger();
    AtomicInteger most = new AtomicInteger();
    Map<Integer, List<Integer>> attempts = new ConcurrentHashMap<>();
    CountDownLatch retried = new CountDownLatch(messages);
    RetryPolicy policy =
        RetryPolicy.builder()
            .maxAttempts(2)
            .inProcessAttempts(2)
            .initialDelay(Duration.ofMillis(50))
            .jitter(Jitter.NONE)
            .build();
    Messaging m = kit.messaging();
    m.consume(
        queue,
        Item.class,
        (item, ctx) -> {
          most.accumulateAndGet(running.incrementAndGet(), Math::max);
          try {
            attempts
                .computeIfAbsent(item.n(), n -> new CopyOnWriteArrayList<>())
                .add(ctx.attempt());
            if (ctx.attempt() == 1) {
              throw new RetryableException("attempt 1 of " + item.n() + " fails on purpose");
            }
            // Under the bound no other retry can start while this call runs, so this wait ends
            // by its timeout; a transport that let a waiting retry overlap the next message
            // would run the other retries now, and `most` would show it.
            retried.countDown();
            retried.await(300, TimeUnit.MILLISECONDS);
          } finally {
            running.decrementAndGet();
          }
        },
        ConsumerOptions.builder().concurrency(1).retry(policy).build());

    for (int n = 1; n <= messages; n++) {
      m.send(queue, new Item(n)).join();
    }

    kit.await()
        .untilAsserted(
            () -> {
              assertThat(attempts).hasSize(messages);
              assertThat(attempts.values()).allSatisfy(a -> assertThat(a).containsExactly(1, 2));
            });
    assertThat(most).as("handler calls running at once at concurrency 1").hasValue(1);
  }

  @Test
  @AllowWarnings("the handler fails on purpose, which the toolkit reports as a warning")
  void aMessageAtTheHeaderLimitsIsStillHandledWhenItComesBackThroughTheBroker() {
    String topic = kit.name("header-limits");
    Map<String, String> atLimits = Fixtures.headers(3, 60);
    List<Integer> attempts = new CopyOnWriteArrayList<>();
    List<Map<String, String>> handled = new CopyOnWriteArrayList<>();
    Messaging m = kit.messaging(b -> b.maxHeaders(3).maxHeaderBytes(60));
    Subscription s =
        m.subscribe(
            topic,
            kit.name("g"),
            Item.class,
            (item, ctx) -> {
              attempts.add(ctx.attempt());
              if (ctx.attempt() == 1) {
                throw new RetryableException("the first attempt fails on purpose");
              }
              handled.add(ctx.envelope().headers());
            },
            ConsumerOptions.builder()
                .retry(
                    RetryPolicy.builder()
                        .maxAttempts(2)
                        .inProcessAttempts(1)
                        .initialDelay(Duration.ofMillis(50))
                        .build())
                .build());

    m.publish(topic, new Item(1), SendOptions.builder().headers(atLimits).build()).join();

    kit.await().untilAsserted(() -> assertThat(handled).hasSize(1));
    assertThat(attempts).containsExactly(1, 2);
    assertThat(handled.get(0)).containsAllEntriesOf(atLimits);
    assertThat(s.stats().deadLettered()).isZero();
  }

  /** Publishes one message whose handler fails {@code failures} times, and returns the calls. */
  private List<Call> runFailingTimes(int failures, RetryPolicy policy) {
    String topic = kit.name("retry");
    List<Call> calls = new CopyOnWriteArrayList<>();
    Messaging m = kit.messaging();
    m.subscribe(
        topic,
        kit.name("g"),
        Item.class,
        (item, ctx) -> {
          long start = System.nanoTime();
          boolean fail = calls.size() < failures;
          calls.add(new Call(ctx.attempt(), ctx.envelope().id(), start, System.nanoTime()));
          if (fail) {
            throw new RetryableException("attempt " + ctx.attempt() + " fails on purpose");
          }
        },
        ConsumerOptions.builder().retry(policy).build());
    m.publish(topic, new Item(1)).join();
    kit.await().untilAsserted(() -> assertThat(calls).hasSize(failures + 1));
    return List.copyOf(calls);
  }

  /** Checks that attempt {@code i + 2} started no sooner than {@code delays[i]} after the last. */
  private void assertGaps(List<Call> calls, List<Duration> delays) {
    assertThat(calls).hasSize(delays.size() + 1);
    for (int i = 1; i < calls.size(); i++) {
      Duration expected = delays.get(i - 1);
      Duration gap = Duration.ofNanos(calls.get(i).startNanos() - calls.get(i - 1).endNanos());
      assertThat(gap)
          .as("gap between attempt %d and %d (delay %s)", i, i + 1, expected)
          .isGreaterThanOrEqualTo(expected)
          .isLessThan(expected.plus(kit.patience()));
    }
  }

  private DeadLetter awaitOneDeadLetter(DeadLetters dlq) {
    kit.await().untilAsserted(() -> assertThat(dlq.browse(10)).hasSize(1));
    return dlq.browse(10).get(0);
  }

  private static RetryPolicy generousRetries() {
    return RetryPolicy.builder().maxAttempts(5).initialDelay(Duration.ofMillis(50)).build();
  }
}
