package dev.switchboard.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.switchboard.messaging.memory.InMemoryTransport;
import dev.switchboard.messaging.spi.Delivery;
import dev.switchboard.messaging.spi.ForwardingDelivery;
import dev.switchboard.messaging.spi.ForwardingTransport;
import dev.switchboard.messaging.spi.WireMessage;
import dev.switchboard.messaging.time.VirtualTime;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * When the core tells the transport that a delivery's handler is done: transports free a thread or
 * a concurrency slot on that signal, so it must never come while an in-process retry is pending.
 */
class HandlerFinishedTest {
  record Job(int n) {}

  private final VirtualTime time = VirtualTime.create();
  private final List<String> events = new CopyOnWriteArrayList<>();
  private final AtomicInteger refusedReplies = new AtomicInteger();
  private final CompletableFuture<Void> unconfirmedReply = new CompletableFuture<>();
  private final Messaging messaging =
      Messaging.builder()
          .transport(
              new ForwardingTransport(InMemoryTransport.builder().scheduler(time).build()) {
                @Override
                protected Delivery wrap(Delivery delivery) {
                  return recording(delivery);
                }

                @Override
                public CompletableFuture<Void> reply(String address, WireMessage message) {
                  if (refusedReplies.getAndDecrement() > 0) {
                    return unconfirmedReply; // the test fails it once the handler is done
                  }
                  return super.reply(address, message);
                }
              })
          .scheduler(time)
          .executor(Runnable::run)
          .register("Job", Job.class)
          .build();

  @AfterEach
  void close() {
    messaging.close();
  }

  @Test
  void aHandlerThatSucceeds_isReportedFinishedOnceBeforeTheAck() {
    messaging.consume("jobs", Job.class, (job, ctx) -> events.add("handled"));
    messaging.send("jobs", new Job(1)).join();

    await().atMost(Duration.ofSeconds(5)).until(() -> events.contains("ack"));
    assertThat(events).containsExactly("handled", "finished", "ack");
  }

  @Test
  void aPendingInProcessRetry_isNotReportedFinished_untilTheRetrySucceeds() {
    AtomicInteger calls = new AtomicInteger();
    messaging.consume(
        "jobs",
        Job.class,
        (job, ctx) -> {
          events.add("attempt " + ctx.attempt());
          if (calls.incrementAndGet() == 1) {
            throw new IllegalStateException("downstream unavailable");
          }
        },
        ConsumerOptions.builder()
            .retry(
                RetryPolicy.builder()
                    .maxAttempts(3)
                    .inProcessAttempts(3)
                    .initialDelay(Duration.ofSeconds(1))
                    .jitter(Jitter.NONE)
                    .build())
            .build());
    messaging.send("jobs", new Job(1)).join();

    await().atMost(Duration.ofSeconds(5)).until(() -> time.pendingTasks() > 0);
    assertThat(events).containsExactly("attempt 1");
    time.advance(Duration.ofSeconds(1));
    await().atMost(Duration.ofSeconds(5)).until(() -> events.contains("ack"));
    assertThat(events).containsExactly("attempt 1", "attempt 2", "finished", "ack");
  }

  @Test
  void aFatalFailure_isReportedFinishedBeforeTheDeadLetterIsPublished() {
    messaging.consume(
        "jobs",
        Job.class,
        (job, ctx) -> {
          events.add("handled");
          throw new FatalMessageException("job is invalid");
        });
    messaging.send("jobs", new Job(1)).join();

    await().atMost(Duration.ofSeconds(5)).until(() -> events.contains("dead-letter"));
    assertThat(events).containsExactly("handled", "finished", "dead-letter");
  }

  @Test
  void aReplyThatFailsToPublishAfterTheHandlerFinished_isRetriedThroughTheBroker_notInProcess() {
    refusedReplies.set(1);
    messaging.respond(
        "quotes",
        Job.class,
        (job, ctx) -> {
          events.add("handled attempt " + ctx.attempt());
          return job;
        },
        ConsumerOptions.builder()
            .retry(
                RetryPolicy.builder()
                    .maxAttempts(3)
                    .inProcessAttempts(3)
                    .initialDelay(Duration.ofSeconds(1))
                    .jitter(Jitter.NONE)
                    .build())
            .build());

    CompletableFuture<Job> reply =
        messaging.request("quotes", new Job(1), Job.class, Duration.ofMinutes(1));

    await().atMost(Duration.ofSeconds(5)).until(() -> events.contains("finished"));
    unconfirmedReply.completeExceptionally(new TransportException("the broker nacked the reply"));

    await().atMost(Duration.ofSeconds(5)).until(() -> events.contains("redeliver"));
    // The transport may have freed the handler's slot at "finished": no second call in process.
    assertThat(events).containsExactly("handled attempt 1", "finished", "redeliver");
    time.advance(Duration.ofSeconds(1));
    await().atMost(Duration.ofSeconds(5)).until(reply::isDone);
    assertThat(reply.join()).isEqualTo(new Job(1));
    assertThat(events).contains("handled attempt 2");
  }

  private Delivery recording(Delivery delivery) {
    return new ForwardingDelivery(delivery) {
      @Override
      public void handlerFinished() {
        events.add("finished");
        super.handlerFinished();
      }

      @Override
      public CompletionStage<Void> ack() {
        events.add("ack");
        return super.ack();
      }

      @Override
      public CompletionStage<Void> redeliver(WireMessage next, Duration delay) {
        events.add("redeliver");
        return super.redeliver(next, delay);
      }

      @Override
      public CompletionStage<Void> deadLetter(WireMessage deadLetter) {
        events.add("dead-letter");
        return super.deadLetter(deadLetter);
      }
    };
  }
}
