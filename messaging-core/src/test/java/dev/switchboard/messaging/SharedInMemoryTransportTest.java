package dev.switchboard.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.switchboard.messaging.memory.InMemoryTransport;
import dev.switchboard.messaging.spi.Destination;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SharedInMemoryTransportTest {
  record Job(int n) {}

  private final InMemoryTransport broker = InMemoryTransport.create();

  @AfterEach
  void close() {
    broker.close();
  }

  private Messaging process() {
    return Messaging.builder().transport(broker.connect()).register("Job", Job.class).build();
  }

  @Test
  void closingOneProcessLeavesTheOthersRunning() {
    List<Integer> handled = new CopyOnWriteArrayList<>();
    Messaging leaving = process();
    Messaging staying = process();
    leaving.consume("jobs", Job.class, (job, ctx) -> handled.add(job.n()));
    staying.consume("jobs", Job.class, (job, ctx) -> handled.add(job.n()));
    leaving.close();
    Messaging producer = process();
    for (int i = 0; i < 10; i++) {
      producer.send("jobs", new Job(i)).join();
    }
    await().atMost(Duration.ofSeconds(5)).until(() -> handled.size() == 10);
    staying.close();
    producer.close();
  }

  @Test
  void aMessageThatKeepsKillingItsConsumerIsDeadLetteredAtTheDeliveryLimit() throws Exception {
    ConsumerOptions limited = ConsumerOptions.builder().deliveryLimit(2).build();
    Messaging producer = process();
    producer.send("jobs", new Job(1)).join();
    for (int crash = 0; crash < 2; crash++) {
      CountDownLatch entered = new CountDownLatch(1);
      CountDownLatch never = new CountDownLatch(1);
      Messaging doomed = process();
      doomed.consume(
          "jobs",
          Job.class,
          (job, ctx) -> {
            entered.countDown();
            never.await(10, TimeUnit.SECONDS);
          },
          limited);
      assertThat(entered.await(5, TimeUnit.SECONDS)).isTrue();
      // Closing gives the message back unsettled, as a crash would; once it is back in the queue
      // the stuck handler may end, which lets the close finish.
      Thread closing = new Thread(doomed::close);
      closing.start();
      await()
          .atMost(Duration.ofSeconds(5))
          .until(() -> broker.depth(Destination.queue("jobs"), "jobs") == 1);
      never.countDown();
      closing.join(10_000);
    }
    List<Integer> handled = new CopyOnWriteArrayList<>();
    Messaging survivor = process();
    survivor.consume("jobs", Job.class, (job, ctx) -> handled.add(job.n()), limited);
    DeadLetters dl = survivor.queueDeadLetters("jobs");
    await().atMost(Duration.ofSeconds(5)).until(() -> dl.count() == 1);
    assertThat(dl.browse(1).get(0).failure().orElseThrow().reason())
        .isEqualTo(FailureReason.DELIVERY_LIMIT);
    assertThat(handled).isEmpty();
    survivor.close();
    producer.close();
  }

  @Test
  void closedSubscriptionsLeaveTheSubscriptionList() {
    Messaging m = process();
    for (int i = 0; i < 3; i++) {
      m.consume("jobs", Job.class, (job, ctx) -> {}).close();
    }
    Subscription open = m.consume("jobs", Job.class, (job, ctx) -> {});
    assertThat(m.subscriptions()).containsExactly(open);
    m.close();
  }

  @Test
  void publishingToATopicWithNoSubscriberGroupFailsAsOnRabbitMq() {
    Messaging m = process();
    var published = m.publish("nobody-listens", new Job(1));
    assertThat(published.handle((v, e) -> RetryPolicy.unwrap(e)).join())
        .isInstanceOf(DestinationNotFoundException.class)
        .hasMessageContaining("nobody-listens");
    m.close();
  }
}
