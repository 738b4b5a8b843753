package dev.switchboard.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import dev.switchboard.messaging.HeadersTooLargeException.Measure;
import dev.switchboard.messaging.memory.InMemoryTransport;
import dev.switchboard.messaging.spi.Destination;
import dev.switchboard.messaging.spi.WireMessage;
import dev.switchboard.messaging.time.VirtualTime;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The header limits through the public API, on the in-memory transport and virtual time. */
class MessagingHeaderLimitsTest {
  record Job(int n) {}

  private final VirtualTime time = VirtualTime.create();
  private final InMemoryTransport broker = InMemoryTransport.builder().scheduler(time).build();
  private final List<Messaging> opened = new CopyOnWriteArrayList<>();
  private final List<Integer> handled = new CopyOnWriteArrayList<>();

  @AfterEach
  void close() {
    opened.forEach(Messaging::close);
    broker.close();
  }

  private Messaging process(int maxHeaders, int maxHeaderBytes) {
    Messaging m =
        Messaging.builder()
            .transport(broker.connect())
            .scheduler(time)
            .executor(Runnable::run)
            .register("Job", Job.class)
            .maxHeaders(maxHeaders)
            .maxHeaderBytes(maxHeaderBytes)
            .build();
    opened.add(m);
    return m;
  }

  @Test
  void eachLimitIsValidatedAndSetOnce() {
    Messaging.Builder b = Messaging.builder().maxHeaders(0).maxHeaderBytes(0);

    assertThatThrownBy(() -> b.maxHeaders(5))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("maxHeaders is already set");
    assertThatThrownBy(() -> b.maxHeaderBytes(5))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("maxHeaderBytes is already set");
    assertThatThrownBy(() -> Messaging.builder().maxHeaders(-1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxHeaders must be >= 0");
    assertThatThrownBy(() -> Messaging.builder().maxHeaderBytes(-1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxHeaderBytes must be >= 0");
  }

  @Test
  void theDefaultsAcceptAThousandHeadersOf80KiBAndRefuseOneByteMore() {
    Messaging m =
        Messaging.builder().transport(broker.connect()).register("Job", Job.class).build();
    opened.add(m);
    m.consume("jobs", Job.class, (job, ctx) -> handled.add(job.n()));
    Map<String, String> atLimits = filled(1000, 80 * 1024);
    Map<String, String> oneByteMore = new LinkedHashMap<>(atLimits);
    oneByteMore.merge("h-0000", "x", String::concat);

    m.send("jobs", new Job(1), SendOptions.builder().headers(atLimits).build()).join();
    CompletableFuture<Envelope> refused =
        m.send("jobs", new Job(2), SendOptions.builder().headers(oneByteMore).build());

    HeadersTooLargeException e = refusal(refused);
    assertThat(e.measure()).isEqualTo(Measure.BYTES);
    assertThat(e.size()).isEqualTo(80 * 1024 + 1);
    await().atMost(Duration.ofSeconds(5)).until(() -> handled.contains(1));
    assertThat(handled).containsExactly(1);
  }

  @Test
  void aPublishOverTheCountLimitFailsItsFutureAndSendsNothing() {
    Messaging m = process(3, 1024);
    m.subscribe("events", "g", Job.class, (job, ctx) -> handled.add(job.n()));

    CompletableFuture<Envelope> refused =
        m.publish("events", new Job(1), SendOptions.builder().headers(filled(4, 40)).build());

    HeadersTooLargeException e = refusal(refused);
    assertThat(e.measure()).isEqualTo(Measure.COUNT);
    assertThat(e.size()).isEqualTo(4);
    assertThat(e.limit()).isEqualTo(3);
    assertThat(e.getMessage()).contains("'events'").contains("maxHeaders(..)");
    m.publish("events", new Job(2), SendOptions.builder().headers(filled(3, 40)).build()).join();
    await().atMost(Duration.ofSeconds(5)).until(() -> handled.contains(2));
    assertThat(handled).containsExactly(2);
  }

  @Test
  void aRequestOverTheByteLimitFailsAtOnceAndIsNeitherSentNorPending() {
    Messaging m = process(10, 16);
    List<Integer> asked = new CopyOnWriteArrayList<>();
    m.respond(
        "svc",
        Job.class,
        (job, ctx) -> {
          asked.add(job.n());
          return job;
        });
    SendOptions tooBig = SendOptions.builder().header("trace", "x".repeat(12)).build();

    CompletableFuture<Job> refused =
        m.request("svc", new Job(1), Job.class, Duration.ofSeconds(5), tooBig);

    HeadersTooLargeException e = refusal(refused);
    assertThat(e.measure()).isEqualTo(Measure.BYTES);
    assertThat(e.size()).isEqualTo(17);
    assertThat(e.limit()).isEqualTo(16);
    assertThat(m.pendingRequests()).isZero();
    assertThat(m.request("svc", new Job(2), Job.class, Duration.ofSeconds(5)).join().n())
        .isEqualTo(2);
    assertThat(asked).containsExactly(2);
  }

  @Test
  void aReceivedMessageOverTheLimitsIsDeadLetteredUnhandledWithItsHeadersIntact() {
    Messaging m = process(2, 1024);
    Subscription worker = m.consume("jobs", Job.class, (job, ctx) -> handled.add(job.n()));
    Map<String, String> tooMany = filled(3 + HeaderLimits.HEADROOM_COUNT, 200);
    Envelope foreign =
        Envelope.builder()
            .type("Job")
            .key("k-1")
            .headers(tooMany)
            .contentType("application/json")
            .build();
    byte[] body = "{\"n\": 99}".getBytes(StandardCharsets.UTF_8);

    broker.send(Destination.queue("jobs"), new WireMessage(foreign, body)).join();
    m.send("jobs", new Job(1)).join();

    DeadLetters dlq = m.queueDeadLetters("jobs");
    await().atMost(Duration.ofSeconds(5)).until(() -> dlq.count() == 1 && handled.contains(1));
    DeadLetter letter = dlq.browse(10).get(0);
    assertThat(letter.envelope().id()).isEqualTo(foreign.id());
    assertThat(letter.envelope().key()).contains("k-1");
    assertThat(letter.envelope().headers()).containsAllEntriesOf(tooMany);
    assertThat(letter.payloadBytes()).isEqualTo(body);
    Failure f = letter.failure().orElseThrow();
    assertThat(f.reason()).isEqualTo(FailureReason.HEADER_LIMIT);
    assertThat(f.exceptionClass()).isEqualTo(HeadersTooLargeException.class.getName());
    assertThat(f.exceptionMessage()).contains("'jobs'").contains("maxHeaders");
    assertThat(handled).containsExactly(1);
    assertThat(worker.state()).isEqualTo(ConsumerState.RUNNING);
  }

  @Test
  void aMessageAtTheLimitsIsStillHandledAfterABrokerTierRetryAddsItsHeader() {
    Messaging m = process(3, 60);
    AtomicBoolean failedOnce = new AtomicBoolean();
    List<Integer> attempts = new CopyOnWriteArrayList<>();
    RetryPolicy viaBroker =
        RetryPolicy.builder()
            .maxAttempts(2)
            .inProcessAttempts(1)
            .initialDelay(Duration.ofSeconds(1))
            .jitter(Jitter.NONE)
            .build();
    Subscription worker =
        m.consume(
            "jobs",
            Job.class,
            (job, ctx) -> {
              attempts.add(ctx.attempt());
              if (failedOnce.compareAndSet(false, true)) {
                throw new RetryableException("not yet");
              }
              handled.add(job.n());
            },
            ConsumerOptions.builder().retry(viaBroker).build());

    m.send("jobs", new Job(1), SendOptions.builder().headers(filled(3, 60)).build()).join();
    await().atMost(Duration.ofSeconds(5)).until(() -> attempts.size() == 1);
    time.advance(Duration.ofSeconds(1));

    await().atMost(Duration.ofSeconds(5)).until(() -> handled.contains(1));
    assertThat(attempts).containsExactly(1, 2);
    assertThat(worker.stats().deadLettered()).isZero();
  }

  @Test
  void aMessageAtTheLimitsIsDeadLetteredAndRedrivenWithoutBeingRefused() {
    Messaging m = process(3, 60);
    AtomicBoolean failedOnce = new AtomicBoolean();
    List<Envelope> seen = new CopyOnWriteArrayList<>();
    m.consume(
        "jobs",
        Job.class,
        (job, ctx) -> {
          if (failedOnce.compareAndSet(false, true)) {
            throw new FatalMessageException("rejected until the fix is deployed");
          }
          seen.add(ctx.envelope());
        });
    Map<String, String> atLimits = filled(3, 60);

    m.send("jobs", new Job(1), SendOptions.builder().headers(atLimits).build()).join();
    DeadLetters dlq = m.queueDeadLetters("jobs");
    await().atMost(Duration.ofSeconds(5)).until(() -> dlq.count() == 1);
    DeadLetter letter = dlq.browse(1).get(0);
    assertThat(letter.envelope().headers()).containsAllEntriesOf(atLimits);
    assertThat(letter.failure().map(Failure::reason)).contains(FailureReason.EXCEPTION);
    assertThat(dlq.redrive(Redrive.all()).moved()).isEqualTo(1);

    await().atMost(Duration.ofSeconds(5)).until(() -> seen.size() == 1);
    assertThat(seen.get(0).headers())
        .containsAllEntriesOf(atLimits)
        .containsEntry(Redrive.COUNT, "1");
    assertThat(dlq.count()).isZero();
  }

  /**
   * {@code count} headers named {@code h-0000}, {@code h-0001}, ... whose names and values take
   * exactly {@code bytes} UTF-8 bytes together.
   */
  private static Map<String, String> filled(int count, int bytes) {
    int nameBytes = 6 * count;
    int valueBytes = bytes - nameBytes;
    if (valueBytes < 0) {
      throw new IllegalArgumentException(count + " headers take more than " + bytes + " bytes");
    }
    Map<String, String> headers = new LinkedHashMap<>();
    for (int i = 0; i < count; i++) {
      int length = valueBytes / count + (i < valueBytes % count ? 1 : 0);
      headers.put(String.format("h-%04d", i), "v".repeat(length));
    }
    return headers;
  }

  private static HeadersTooLargeException refusal(CompletableFuture<?> refused) {
    assertThat(refused).as("refused without waiting").isCompletedExceptionally();
    Throwable failure = catchThrowable(refused::join);
    assertThat(failure).hasCauseInstanceOf(HeadersTooLargeException.class);
    return (HeadersTooLargeException) failure.getCause();
  }
}
