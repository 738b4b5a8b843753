package dev.switchboard.testkit.conformance;

import static dev.switchboard.testkit.conformance.Fixtures.numbers;
import static dev.switchboard.testkit.conformance.Fixtures.simulateWork;
import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.messaging.ConsumerOptions;
import dev.switchboard.messaging.ConsumerState;
import dev.switchboard.messaging.DrainReport;
import dev.switchboard.messaging.Envelope;
import dev.switchboard.messaging.Messaging;
import dev.switchboard.messaging.Subscription;
import dev.switchboard.testkit.conformance.TestMessages.Item;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Consumer lifecycle: pause and resume, drain with handlers running and while producers keep
 * publishing, and close with a message in hand.
 */
public abstract class LifecycleConformance {
  @RegisterExtension
  @Order(1)
  final LogCheck logs = new LogCheck();

  @RegisterExtension
  @Order(2)
  final Kit kit = new Kit(this::target);

  /** The transport under test. */
  protected abstract ConformanceTarget target();

  @Test
  void pausedConsumerHandlesNothingUntilResumed() {
    int count = 20;
    String topic = kit.name("paused");
    Tally handled = new Tally();
    Subscription sub =
        kit.messaging()
            .subscribe(
                topic,
                kit.name("g"),
                Item.class,
                (item, ctx) -> handled.record(item.n()),
                ConsumerOptions.builder().concurrency(2).build());

    sub.pause();
    assertThat(sub.state()).isEqualTo(ConsumerState.PAUSED);
    kit.publishItems(kit.messaging(), topic, count);
    kit.holdFor(Duration.ofSeconds(1)).untilAsserted(() -> assertThat(handled.calls()).isZero());
    assertThat(sub.state()).isEqualTo(ConsumerState.PAUSED);
    sub.resume();

    assertThat(sub.state()).isEqualTo(ConsumerState.RUNNING);
    kit.await().untilAsserted(() -> assertThat(handled.numbers()).isEqualTo(numbers(count)));
    assertThat(handled.duplicates()).isEmpty();
  }

  @Test
  void drainLetsRunningHandlersFinishAndLeavesTheRestToTheNextConsumer() throws Exception {
    int jobs = 40;
    int concurrency = 4;
    String queue = kit.name("drain");
    Tally handled = new Tally();
    AtomicInteger running = new AtomicInteger();
    CountDownLatch proceed = new CountDownLatch(1);
    Subscription first =
        kit.messaging()
            .consume(
                queue,
                Item.class,
                (job, ctx) -> {
                  running.incrementAndGet();
                  try {
                    // Hold every handler until the drain has begun.
                    assertThat(proceed.await(kit.patience().toMillis(), TimeUnit.MILLISECONDS))
                        .isTrue();
                    handled.record(job.n());
                  } finally {
                    running.decrementAndGet();
                  }
                },
                ConsumerOptions.builder().concurrency(concurrency).build());
    kit.sendItems(kit.messaging(), queue, jobs);
    kit.await().untilAsserted(() -> assertThat(running).hasValue(concurrency));

    CompletableFuture<DrainReport> draining = kit.inBackground(() -> first.drain(kit.patience()));
    kit.await().untilAsserted(() -> assertThat(first.state()).isEqualTo(ConsumerState.DRAINING));
    proceed.countDown();
    DrainReport report = draining.get(kit.patience().toMillis() * 2, TimeUnit.MILLISECONDS);

    assertThat(report.complete()).isTrue();
    assertThat(report.unfinished()).isZero();
    assertThat(report.finished()).isEqualTo(concurrency);
    assertThat(report.returned()).isNotNegative();
    assertThat(report.took()).isLessThan(kit.patience());
    assertThat(first.state()).isEqualTo(ConsumerState.STOPPED);
    assertThat(handled.calls()).as("jobs finished by the drained consumer").isEqualTo(concurrency);
    Set<Integer> beforeDrain = new HashSet<>(handled.numbers());

    Tally next = new Tally();
    kit.messaging().consume(queue, Item.class, (job, ctx) -> next.record(job.n()));

    kit.await()
        .untilAsserted(() -> assertThat(beforeDrain.size() + next.distinct()).isEqualTo(jobs));
    Set<Integer> overlap = new HashSet<>(next.numbers());
    overlap.retainAll(beforeDrain);
    assertThat(overlap).as("jobs handled both before and after the drain").isEmpty();
    assertThat(next.duplicates()).isEmpty();
    Set<Integer> union = new HashSet<>(beforeDrain);
    union.addAll(next.numbers());
    assertThat(union).isEqualTo(numbers(jobs));
  }

  @Test
  void drainWhileProducersKeepPublishingHandlesEveryMessageExactlyOnceAcrossTwoConsumers()
      throws Exception {
    int concurrency = 4;
    int window = 20;
    String queue = kit.name("drain-load");
    // The producer stays at most `window` messages ahead of the consumers: the queue stays busy
    // without flooding, whatever the speed of the transport.
    Semaphore room = new Semaphore(window);
    AtomicBoolean stop = new AtomicBoolean();
    AtomicInteger sent = new AtomicInteger();
    Tally first = new Tally();
    Tally second = new Tally();
    AtomicInteger running = new AtomicInteger();
    AtomicInteger mostAtOnce = new AtomicInteger();
    Subscription draining =
        kit.messaging()
            .consume(
                queue,
                Item.class,
                (job, ctx) -> {
                  mostAtOnce.accumulateAndGet(running.incrementAndGet(), Math::max);
                  try {
                    simulateWork(Duration.ofMillis(ThreadLocalRandom.current().nextInt(5, 21)));
                    first.record(job.n());
                  } finally {
                    running.decrementAndGet();
                  }
                  room.release();
                },
                ConsumerOptions.builder().concurrency(concurrency).build());
    Messaging producer = kit.messaging();
    CompletableFuture<Integer> producing =
        kit.inBackground(
            () -> {
              try {
                while (!stop.get()) {
                  if (room.tryAcquire(10, TimeUnit.MILLISECONDS)) {
                    producer.send(queue, new Item(sent.get())).join();
                    sent.incrementAndGet();
                  }
                }
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
              return sent.get();
            });
    kit.await().untilAsserted(() -> assertThat(first.calls()).isGreaterThanOrEqualTo(40));

    int sentBeforeDrain = sent.get();
    DrainReport report = draining.drain(kit.patience());
    kit.await()
        .untilAsserted(
            () ->
                assertThat(sent.get())
                    .as("sent since the drain began")
                    .isGreaterThan(sentBeforeDrain));

    assertThat(mostAtOnce.get()).as("handlers running at once").isBetween(1, concurrency);
    assertThat(report.complete()).isTrue();
    assertThat(report.unfinished()).isZero();
    assertThat(report.returned()).isNotNegative();
    assertThat(report.took()).isLessThan(kit.patience());
    assertThat(draining.state()).isEqualTo(ConsumerState.STOPPED);
    assertThat(draining.stats().inFlight()).isZero();
    assertThat(draining.stats().handled()).isEqualTo(first.calls());
    assertThat(first.duplicates()).isEmpty();
    Set<Integer> beforeDrain = new HashSet<>(first.numbers());

    kit.messaging()
        .consume(
            queue,
            Item.class,
            (job, ctx) -> {
              simulateWork(Duration.ofMillis(ThreadLocalRandom.current().nextInt(5, 21)));
              second.record(job.n());
              room.release();
            },
            ConsumerOptions.builder().concurrency(concurrency).build());
    kit.await().untilAsserted(() -> assertThat(second.calls()).isGreaterThanOrEqualTo(40));
    stop.set(true);
    int total = producing.get(kit.patience().toMillis(), TimeUnit.MILLISECONDS);

    kit.await()
        .untilAsserted(
            () -> {
              Set<Integer> union = new HashSet<>(beforeDrain);
              union.addAll(second.numbers());
              assertThat(union).isEqualTo(numbers(total));
            });
    Set<Integer> overlap = new HashSet<>(second.numbers());
    overlap.retainAll(beforeDrain);
    assertThat(overlap).as("messages handled both before and after the drain").isEmpty();
    assertThat(second.duplicates()).isEmpty();
    // Held deliveries include handled ones whose acknowledgement is still on its way (a Kafka
    // commit), so the bound is the prefetch, not the concurrency.
    assertThat(report.finished())
        .as("deliveries held at the start of the drain and settled during it")
        .isBetween(0, ConsumerOptions.builder().concurrency(concurrency).build().prefetch());
  }

  @Test
  @AllowWarnings("the closed consumer's handler finishes after close; its settlement may fail")
  void messageInHandWhenItsConsumerClosesIsDeliveredAgain() throws Exception {
    String queue = kit.name("crash");
    CountDownLatch started = new CountDownLatch(1);
    CountDownLatch proceed = new CountDownLatch(1);
    AtomicInteger firstCalls = new AtomicInteger();
    Messaging firstProcess = kit.messaging();
    firstProcess.consume(
        queue,
        Item.class,
        (job, ctx) -> {
          firstCalls.incrementAndGet();
          started.countDown();
          // Stands in for a process that stops answering while it holds the message.
          proceed.await(kit.patience().toMillis(), TimeUnit.MILLISECONDS);
        });
    Envelope sent = kit.messaging().send(queue, new Item(1)).join();
    assertThat(started.await(kit.patience().toMillis(), TimeUnit.MILLISECONDS)).isTrue();

    CompletableFuture<Void> closing =
        kit.inBackground(
            () -> {
              firstProcess.close();
              return null;
            });
    AtomicInteger secondCalls = new AtomicInteger();
    List<String> ids = new CopyOnWriteArrayList<>();
    kit.messaging()
        .consume(
            queue,
            Item.class,
            (job, ctx) -> {
              secondCalls.incrementAndGet();
              ids.add(ctx.envelope().id());
            });

    kit.await().untilAsserted(() -> assertThat(secondCalls).hasValue(1));
    proceed.countDown();
    closing.get(kit.patience().toMillis(), TimeUnit.MILLISECONDS);
    assertThat(ids).containsExactly(sent.id());
    assertThat(firstCalls).hasValue(1);
  }
}
