package dev.switchboard.testkit.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.messaging.DeadLetter;
import dev.switchboard.messaging.DeadLetters;
import dev.switchboard.messaging.Envelope;
import dev.switchboard.messaging.Failure;
import dev.switchboard.messaging.FatalMessageException;
import dev.switchboard.messaging.Messaging;
import dev.switchboard.messaging.Redrive;
import dev.switchboard.messaging.SendOptions;
import dev.switchboard.testkit.conformance.TestMessages.Item;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Redrive: dead letters go back to the group they failed in and to no other, a dry run moves
 * nothing, the loop guard stops a message that keeps failing, and filters and limits hold.
 */
public abstract class RedriveConformance {
  /** How long a case watches for a message that must not be handled again. */
  private static final Duration QUIET = Duration.ofMillis(500);

  @RegisterExtension
  @Order(1)
  final LogCheck logs = new LogCheck();

  @RegisterExtension
  @Order(2)
  final Kit kit = new Kit(this::target);

  /** The transport under test. */
  protected abstract ConformanceTarget target();

  @Test
  @AllowWarnings("messages are dead-lettered on purpose, which the toolkit reports")
  void redriveSendsADeadLetterBackToTheGroupItFailedInOnly() {
    String topic = kit.name("redrive");
    String failing = kit.name("failing");
    String healthy = kit.name("healthy");
    AtomicBoolean failedOnce = new AtomicBoolean();
    List<Envelope> redriven = new CopyOnWriteArrayList<>();
    AtomicInteger healthyCalls = new AtomicInteger();
    Messaging m = kit.messaging();
    m.subscribe(
        topic,
        failing,
        Item.class,
        (item, ctx) -> {
          if (failedOnce.compareAndSet(false, true)) {
            throw new FatalMessageException("rejected until the bug is fixed");
          }
          redriven.add(ctx.envelope());
        });
    kit.messaging()
        .subscribe(topic, healthy, Item.class, (item, ctx) -> healthyCalls.incrementAndGet());
    Envelope sent = m.publish(topic, new Item(1)).join();
    DeadLetters dlq = m.deadLetters(topic, failing);
    awaitDeadLetters(dlq, 1);
    kit.await().untilAsserted(() -> assertThat(healthyCalls).hasValue(1));

    Redrive.Result result = dlq.redrive(Redrive.all());

    assertThat(result.moved()).isEqualTo(1);
    assertThat(result.matched()).isEqualTo(1);
    assertThat(result.refused()).isZero();
    assertThat(result.dryRun()).isFalse();
    kit.await().untilAsserted(() -> assertThat(redriven).hasSize(1));
    Envelope again = redriven.get(0);
    assertThat(again.id()).isEqualTo(sent.id());
    assertThat(again.attempt()).isEqualTo(1);
    assertThat(again.headers()).containsEntry(Redrive.COUNT, "1");
    assertThat(again.headers().get(Redrive.FROM)).isNotBlank();
    assertThat(again.headers().keySet()).noneMatch(h -> h.startsWith(Failure.PREFIX));
    assertThat(dlq.browse(10)).isEmpty();
    kit.holdFor(QUIET).untilAsserted(() -> assertThat(healthyCalls).hasValue(1));
    assertThat(redriven).hasSize(1);
  }

  @Test
  @AllowWarnings("messages are dead-lettered on purpose, which the toolkit reports")
  void dryRunReportsWhatWouldMoveAndMovesNothing() {
    String topic = kit.name("dry-run");
    String group = kit.name("g");
    AtomicInteger calls = new AtomicInteger();
    Messaging m = kit.messaging();
    m.subscribe(
        topic,
        group,
        Item.class,
        (item, ctx) -> {
          calls.incrementAndGet();
          throw new FatalMessageException("always rejected");
        });
    kit.publishItems(m, topic, 2);
    DeadLetters dlq = m.deadLetters(topic, group);
    awaitDeadLetters(dlq, 2);

    Redrive.Result result = dlq.redrive(Redrive.builder().mode(Redrive.Mode.DRY_RUN).build());

    assertThat(result.dryRun()).isTrue();
    assertThat(result.matched()).isEqualTo(2);
    assertThat(result.moved()).isZero();
    kit.holdFor(QUIET).untilAsserted(() -> assertThat(calls).hasValue(2));
    assertThat(dlq.browse(10)).hasSize(2).allSatisfy(d -> assertThat(d.redriveCount()).isZero());
  }

  @Test
  @AllowWarnings("messages are dead-lettered on purpose, which the toolkit reports")
  void dryRunFindsTheSameMessagesARealRedriveMoves() {
    int messages = 12;
    String topic = kit.name("dry-run-deep");
    String group = kit.name("g");
    AtomicBoolean rejecting = new AtomicBoolean(true);
    Tally accepted = new Tally();
    Messaging m = kit.messaging();
    m.subscribe(
        topic,
        group,
        Item.class,
        (item, ctx) -> {
          if (rejecting.get()) {
            throw new FatalMessageException("rejected while the bug is live");
          }
          accepted.record(item.n());
        });
    for (int i = 0; i < messages; i++) {
      String wanted = i == messages - 1 ? "yes" : "no";
      m.publish(topic, new Item(i), SendOptions.builder().header("wanted", wanted).build()).join();
    }
    DeadLetters dlq = m.deadLetters(topic, group);
    awaitDeadLetters(dlq, messages);
    rejecting.set(false);
    // Only the newest dead letter matches, behind many that do not.
    Redrive.Builder request =
        Redrive.builder().filter(d -> "yes".equals(d.envelope().headers().get("wanted"))).limit(1);

    Redrive.Result dryRun = dlq.redrive(request.mode(Redrive.Mode.DRY_RUN).build());
    Redrive.Result moved = dlq.redrive(request.mode(Redrive.Mode.MOVE).build());

    assertThat(dryRun.matched()).as("matched by the dry run").isEqualTo(1);
    assertThat(moved.moved()).isEqualTo(1);
    kit.await().untilAsserted(() -> assertThat(accepted.numbers()).containsExactly(messages - 1));
    assertThat(dlq.browse(messages + 10)).hasSize(messages - 1);
  }

  @Test
  @AllowWarnings("messages are dead-lettered on purpose, which the toolkit reports")
  void loopGuardRefusesAMessageRedrivenTheAllowedNumberOfTimes() {
    int maxRedrives = 2;
    String topic = kit.name("loop");
    String group = kit.name("g");
    AtomicInteger calls = new AtomicInteger();
    Messaging m = kit.messaging();
    m.subscribe(
        topic,
        group,
        Item.class,
        (item, ctx) -> {
          calls.incrementAndGet();
          throw new FatalMessageException("rejected on every attempt");
        });
    m.publish(topic, new Item(1)).join();
    DeadLetters dlq = m.deadLetters(topic, group);
    awaitDeadLetters(dlq, 1);
    Redrive guarded = Redrive.builder().maxRedrives(maxRedrives).build();

    for (int round = 1; round <= maxRedrives; round++) {
      Redrive.Result result = dlq.redrive(guarded);
      assertThat(result.moved()).as("moved in round %d", round).isEqualTo(1);
      int redrives = round;
      kit.await()
          .untilAsserted(
              () ->
                  assertThat(dlq.browse(10))
                      .singleElement()
                      .satisfies(d -> assertThat(d.redriveCount()).isEqualTo(redrives)));
    }
    Redrive.Result refused = dlq.redrive(guarded);

    assertThat(refused.moved()).isZero();
    assertThat(refused.refused()).isEqualTo(1);
    assertThat(calls).hasValue(1 + maxRedrives);
    kit.holdFor(QUIET).untilAsserted(() -> assertThat(calls).hasValue(1 + maxRedrives));
    DeadLetter stuck = dlq.browse(10).get(0);
    assertThat(stuck.redriveCount()).isEqualTo(maxRedrives);
    assertThat(stuck.failure()).hasValueSatisfying(f -> assertThat(f.attempts()).isEqualTo(1));
  }

  @Test
  @AllowWarnings("messages are dead-lettered on purpose, which the toolkit reports")
  void redriveMovesOnlyMatchingDeadLettersUpToItsLimit() {
    int messages = 6;
    String topic = kit.name("filtered");
    String group = kit.name("g");
    AtomicBoolean rejecting = new AtomicBoolean(true);
    List<Envelope> accepted = new CopyOnWriteArrayList<>();
    Messaging m = kit.messaging();
    m.subscribe(
        topic,
        group,
        Item.class,
        (item, ctx) -> {
          if (rejecting.get()) {
            throw new FatalMessageException("rejected while the bug is live");
          }
          accepted.add(ctx.envelope());
        });
    for (int i = 0; i < messages; i++) {
      String parity = i % 2 == 0 ? "even" : "odd";
      m.publish(topic, new Item(i), SendOptions.builder().header("batch", parity).build()).join();
    }
    DeadLetters dlq = m.deadLetters(topic, group);
    awaitDeadLetters(dlq, messages);
    rejecting.set(false);

    Redrive.Result result =
        dlq.redrive(
            Redrive.builder()
                .filter(d -> "even".equals(d.envelope().headers().get("batch")))
                .limit(2)
                .build());

    assertThat(result.moved()).isEqualTo(2);
    assertThat(result.matched()).isEqualTo(2);
    kit.await().untilAsserted(() -> assertThat(accepted).hasSize(2));
    assertThat(accepted).allSatisfy(e -> assertThat(e.headers()).containsEntry("batch", "even"));
    assertThat(accepted).extracting(Envelope::id).doesNotHaveDuplicates();
    List<DeadLetter> left = dlq.browse(messages + 10);
    assertThat(left).hasSize(messages - 2);
    assertThat(left).filteredOn(d -> "even".equals(d.envelope().headers().get("batch"))).hasSize(1);
    kit.holdFor(QUIET).untilAsserted(() -> assertThat(accepted).hasSize(2));
  }

  private void awaitDeadLetters(DeadLetters dlq, int count) {
    kit.await().untilAsserted(() -> assertThat(dlq.browse(count + 10)).hasSize(count));
  }
}
