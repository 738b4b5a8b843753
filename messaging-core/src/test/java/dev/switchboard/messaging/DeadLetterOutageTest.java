package dev.switchboard.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.switchboard.messaging.memory.InMemoryTransport;
import dev.switchboard.messaging.spi.Delivery;
import dev.switchboard.messaging.spi.ForwardingDelivery;
import dev.switchboard.messaging.spi.ForwardingTransport;
import dev.switchboard.messaging.spi.Transport;
import dev.switchboard.messaging.spi.WireMessage;
import dev.switchboard.messaging.time.VirtualTime;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A dead-letter queue that refuses publishes for a while, on virtual time. */
class DeadLetterOutageTest {
  record Job(int n) {}

  private final VirtualTime time = VirtualTime.create();
  private final AtomicBoolean refusing = new AtomicBoolean(true);
  private final AtomicInteger refused = new AtomicInteger();
  private final AtomicInteger deliveries = new AtomicInteger();
  private final Transport transport =
      new ForwardingTransport(InMemoryTransport.builder().scheduler(time).build()) {
        @Override
        protected Delivery wrap(Delivery delivery) {
          deliveries.incrementAndGet();
          return refusing(delivery);
        }
      };
  private final Messaging messaging =
      Messaging.builder()
          .transport(transport)
          .scheduler(time)
          .executor(Runnable::run)
          .register("Job", Job.class)
          .build();

  @AfterEach
  void close() {
    messaging.close();
  }

  @Test
  void anOutageLongerThanTheDeliveryLimit_deadLettersTheHandlersFailure_withoutRunningItAgain() {
    AtomicInteger calls = new AtomicInteger();
    messaging.consume(
        "jobs",
        Job.class,
        (job, ctx) -> {
          calls.incrementAndGet();
          throw new FatalMessageException("job " + job.n() + " is invalid");
        },
        ConsumerOptions.builder().deliveryLimit(2).build());
    messaging.send("jobs", new Job(1)).join();

    // Each delivery's dead-letter publish is refused and retried each second for 30 s, then the
    // message goes back to the broker. Between steps, wait until the next retry is scheduled.
    for (int step = 0; step < 5 * 31; step++) {
      await()
          .pollDelay(Duration.ZERO)
          .pollInterval(Duration.ofMillis(2))
          .atMost(Duration.ofSeconds(5))
          .until(() -> time.pendingTasks() > 0 || deliveries.get() >= 5);
      if (deliveries.get() >= 5 && time.pendingTasks() > 0) {
        break;
      }
      time.advance(Duration.ofSeconds(1));
    }
    refusing.set(false);
    time.advance(Duration.ofSeconds(1));
    DeadLetters letters = messaging.queueDeadLetters("jobs");
    await().atMost(Duration.ofSeconds(5)).until(() -> letters.count() == 1);

    Failure failure = letters.browse(1).get(0).failure().orElseThrow();
    assertThat(refused).hasValueGreaterThan(4 * 30);
    assertThat(deliveries).hasValue(5);
    assertThat(calls)
        .as("handler calls: later deliveries only publish the dead letter")
        .hasValue(1);
    assertThat(failure.reason()).isEqualTo(FailureReason.EXCEPTION);
    assertThat(failure.exceptionClass()).isEqualTo(FatalMessageException.class.getName());
  }

  /** Leaves the delivery unsettled when it refuses, as a broker's nack does. */
  private Delivery refusing(Delivery delivery) {
    return new ForwardingDelivery(delivery) {
      @Override
      public CompletionStage<Void> deadLetter(WireMessage deadLetter) {
        if (refusing.get()) {
          refused.incrementAndGet();
          return CompletableFuture.failedFuture(
              new PublishException("the dead-letter queue refused the message"));
        }
        return super.deadLetter(deadLetter);
      }
    };
  }
}
