package dev.switchboard.testkit.conformance;

import static dev.switchboard.testkit.conformance.Fixtures.simulateWork;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.switchboard.messaging.ConsumerOptions;
import dev.switchboard.messaging.ConsumerState;
import dev.switchboard.messaging.Messaging;
import dev.switchboard.messaging.RemoteErrorException;
import dev.switchboard.messaging.RequestTimeoutException;
import dev.switchboard.messaging.Subscription;
import dev.switchboard.testkit.conformance.TestMessages.Answer;
import dev.switchboard.testkit.conformance.TestMessages.Question;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Request-reply: correlation under concurrency, timeouts, error replies and late replies. */
public abstract class RequestReplyConformance {
  @RegisterExtension
  @Order(1)
  final LogCheck logs = new LogCheck();

  @RegisterExtension
  @Order(2)
  final Kit kit = new Kit(this::target);

  /** The transport under test. */
  protected abstract ConformanceTarget target();

  @Test
  void concurrentRequestsAnsweredOutOfOrderEachGetTheirOwnReply() {
    int requests = 100;
    String service = kit.name("echo");
    AtomicInteger running = new AtomicInteger();
    AtomicInteger mostAtOnce = new AtomicInteger();
    kit.messaging()
        .respond(
            service,
            Question.class,
            (q, ctx) -> {
              mostAtOnce.accumulateAndGet(running.incrementAndGet(), Math::max);
              try {
                simulateWork(Duration.ofMillis(q.delayMillis()));
                return new Answer(q.id(), "answer to " + q.id());
              } finally {
                running.decrementAndGet();
              }
            },
            ConsumerOptions.builder().concurrency(8).build());
    Messaging client = kit.messaging();

    List<Integer> completionOrder = new CopyOnWriteArrayList<>();
    List<CompletableFuture<Answer>> replies = new ArrayList<>();
    for (int i = 0; i < requests; i++) {
      int id = i;
      Question q = new Question(id, ThreadLocalRandom.current().nextInt(0, 20));
      replies.add(
          client
              .request(service, q, Answer.class, kit.patience())
              .whenComplete((a, e) -> completionOrder.add(id)));
    }
    kit.joinAll(replies);

    for (int i = 0; i < requests; i++) {
      Answer a = replies.get(i).join();
      assertThat(a.id()).as("reply to request %d", i).isEqualTo(i);
      assertThat(a.echo()).isEqualTo("answer to " + i);
    }
    assertThat(mostAtOnce.get()).as("requests handled at once").isGreaterThan(1);
    assertThat(completionOrder)
        .as("replies completed in a different order than the requests were sent")
        .hasSize(requests)
        .isNotEqualTo(IntStream.range(0, requests).boxed().toList());
    assertThat(client.pendingRequests()).isZero();
    assertThat(client.droppedReplies()).isZero();
  }

  @Test
  void unansweredRequestFailsWithRequestTimeoutAfterItsTimeout() {
    String service = kit.name("silent");
    AtomicInteger handled = new AtomicInteger();
    Subscription responder =
        kit.messaging()
            .respond(
                service,
                Question.class,
                (q, ctx) -> {
                  handled.incrementAndGet();
                  return new Answer(q.id(), "too late");
                });
    responder.pause();
    assertThat(responder.state()).isEqualTo(ConsumerState.PAUSED);
    Messaging client = kit.messaging();
    Duration timeout = Duration.ofMillis(300);

    long start = System.nanoTime();
    CompletableFuture<Answer> reply =
        client.request(service, new Question(1, 0), Answer.class, timeout);
    Throwable failure =
        catchThrowable(() -> reply.get(kit.patience().toMillis(), TimeUnit.MILLISECONDS));
    Duration waited = Duration.ofNanos(System.nanoTime() - start);

    assertThat(failure).hasCauseInstanceOf(RequestTimeoutException.class);
    assertThat(reply).isCompletedExceptionally();
    assertThat(waited).as("time until the request failed").isGreaterThanOrEqualTo(timeout);
    assertThat(client.pendingRequests()).isZero();
    assertThat(handled).hasValue(0);
  }

  @Test
  @AllowWarnings("the responder fails on purpose, and says so")
  void failingResponderFailsTheRequestWithTheRemoteTypeAndMessage() {
    String service = kit.name("failing");
    kit.messaging()
        .respond(
            service,
            Question.class,
            (q, ctx) -> {
              throw new IllegalStateException("no stock for item " + q.id());
            });
    Messaging client = kit.messaging();

    CompletableFuture<Answer> reply =
        client.request(service, new Question(7, 0), Answer.class, kit.patience());
    Throwable failure = catchThrowable(reply::join);

    assertThat(failure).isInstanceOf(CompletionException.class);
    assertThat(failure.getCause()).isInstanceOf(RemoteErrorException.class);
    RemoteErrorException remote = (RemoteErrorException) failure.getCause();
    assertThat(remote.remoteType()).isEqualTo(IllegalStateException.class.getName());
    assertThat(remote.remoteMessage()).isEqualTo("no stock for item 7");
    assertThat(remote.isRetryable()).isFalse();
    assertThat(client.pendingRequests()).isZero();
  }

  @Test
  void replyArrivingAfterTheTimeoutIsDroppedAndCounted() throws Exception {
    String service = kit.name("slow");
    CountDownLatch timedOut = new CountDownLatch(1);
    AtomicInteger slowOnesSeen = new AtomicInteger();
    kit.messaging()
        .respond(
            service,
            Question.class,
            (q, ctx) -> {
              if (q.delayMillis() > 0) {
                slowOnesSeen.incrementAndGet();
                // Answer only once the requester has given up on this request.
                assertThat(timedOut.await(kit.patience().toMillis(), TimeUnit.MILLISECONDS))
                    .isTrue();
              }
              return new Answer(q.id(), "done");
            });
    Messaging client = kit.messaging();
    // A first request proves the responder and the reply path are up, so that the timed one
    // reaches the responder well within its deadline.
    assertThat(
            client.request(service, new Question(0, 0), Answer.class, kit.patience()).join().id())
        .isZero();

    CompletableFuture<Answer> late =
        client.request(service, new Question(1, 1), Answer.class, Duration.ofMillis(500));
    Throwable failure = catchThrowable(late::join);
    assertThat(failure).hasCauseInstanceOf(RequestTimeoutException.class);
    assertThat(client.pendingRequests()).isZero();
    timedOut.countDown();

    kit.await().untilAsserted(() -> assertThat(client.droppedReplies()).isEqualTo(1));
    assertThat(slowOnesSeen).hasValue(1);
    assertThat(client.pendingRequests()).isZero();
    assertThat(late).isCompletedExceptionally();
  }
}
