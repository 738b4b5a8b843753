package dev.switchboard.testkit.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.messaging.ConsumerOptions;
import dev.switchboard.messaging.DeadLetter;
import dev.switchboard.messaging.DeadLetters;
import dev.switchboard.messaging.Envelope;
import dev.switchboard.messaging.Failure;
import dev.switchboard.messaging.FailureReason;
import dev.switchboard.messaging.FatalMessageException;
import dev.switchboard.messaging.Jitter;
import dev.switchboard.messaging.Messaging;
import dev.switchboard.messaging.Redrive;
import dev.switchboard.messaging.RetryPolicy;
import dev.switchboard.messaging.SendOptions;
import dev.switchboard.messaging.codec.JsonCodec;
import dev.switchboard.messaging.spi.Destination;
import dev.switchboard.messaging.spi.Transport;
import dev.switchboard.messaging.spi.WireMessage;
import dev.switchboard.testkit.conformance.TestMessages.Item;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Dead letters: what goes to the dead-letter queue, what the failure envelope says, and that each
 * group has a queue of its own. Messages that cannot be decoded are published with raw bytes
 * through the transport SPI, as a foreign producer would.
 */
public abstract class DeadLetterConformance {
  /**
   * What all failure headers of one message may take together. RabbitMQ carries headers in one
   * frame (128 KiB by default) next to the user's own; Kafka counts them against the record size.
   */
  private static final int FAILURE_HEADER_BUDGET = 32 * 1024;

  @RegisterExtension
  @Order(1)
  final LogCheck logs = new LogCheck();

  @RegisterExtension
  @Order(2)
  final Kit kit = new Kit(this::target);

  /** The transport under test. */
  protected abstract ConformanceTarget target();

  @Test
  @AllowWarnings("the message is dead-lettered on purpose, which the toolkit reports")
  void malformedPayloadIsDeadLetteredWithItsBytesIntactAndTheConsumerCarriesOn() throws Exception {
    String topic = kit.name("malformed");
    String group = kit.name("g");
    Tally handled = new Tally();
    Messaging m = kit.messaging();
    m.subscribe(topic, group, Item.class, (item, ctx) -> handled.record(item.n()));
    byte[] malformed = "{\"n\": 1, \"unterminated".getBytes(StandardCharsets.UTF_8);
    Envelope raw =
        Envelope.builder()
            .type(TestMessages.ITEM)
            .contentType(JsonCodec.CONTENT_TYPE)
            .source("conformance-foreign-producer")
            .key("raw-key")
            .header("origin", "hand-written")
            .build();
    Transport foreign = kit.transport();

    foreign
        .send(Destination.topic(topic), new WireMessage(raw, malformed))
        .get(kit.patience().toMillis(), TimeUnit.MILLISECONDS);

    DeadLetters dlq = m.deadLetters(topic, group);
    DeadLetter letter = awaitDeadLetters(dlq, 1).get(0);
    assertThat(letter.payloadBytes()).isEqualTo(malformed);
    assertThat(letter.envelope().id()).isEqualTo(raw.id());
    assertThat(letter.envelope().key()).contains("raw-key");
    assertThat(letter.envelope().headers()).containsEntry("origin", "hand-written");
    assertThat(letter.failure())
        .hasValueSatisfying(
            f -> {
              assertThat(f.reason()).isEqualTo(FailureReason.DECODE);
              assertThat(f.originDestination()).isEqualTo(topic);
              assertThat(f.originGroup()).isEqualTo(group);
            });
    assertThat(handled.calls()).isZero();

    m.publish(topic, new Item(2)).join();
    kit.await().untilAsserted(() -> assertThat(handled.numbers()).containsExactly(2));
    assertThat(dlq.browse(10)).hasSize(1);
  }

  @Test
  @AllowWarnings("the message is dead-lettered on purpose, which the toolkit reports")
  void payloadOfAnUnregisteredTypeIsDeadLetteredAsADecodeFailure() throws Exception {
    String topic = kit.name("unknown-type");
    String group = kit.name("g");
    AtomicInteger calls = new AtomicInteger();
    Messaging m = kit.messaging();
    m.subscribe(topic, group, Item.class, (item, ctx) -> calls.incrementAndGet());
    byte[] body = "{\"n\": 5}".getBytes(StandardCharsets.UTF_8);
    Envelope raw =
        Envelope.builder()
            .type("sb.conformance.NeverRegistered")
            .contentType(JsonCodec.CONTENT_TYPE)
            .build();

    kit.transport()
        .send(Destination.topic(topic), new WireMessage(raw, body))
        .get(kit.patience().toMillis(), TimeUnit.MILLISECONDS);

    DeadLetter letter = awaitDeadLetters(m.deadLetters(topic, group), 1).get(0);
    assertThat(letter.payloadBytes()).isEqualTo(body);
    assertThat(letter.envelope().type()).isEqualTo("sb.conformance.NeverRegistered");
    assertThat(letter.failure().map(Failure::reason)).contains(FailureReason.DECODE);
    assertThat(calls).hasValue(0);
  }

  @Test
  @AllowWarnings("the message is dead-lettered on purpose, which the toolkit reports")
  void failureEnvelopeDescribesTheFailureAndKeepsTheOriginalMessage() {
    Duration delay = Duration.ofMillis(100);
    RetryPolicy policy =
        RetryPolicy.builder()
            .maxAttempts(2)
            .inProcessAttempts(2)
            .initialDelay(delay)
            .jitter(Jitter.NONE)
            .build();
    String topic = kit.name("envelope");
    String group = kit.name("billing");
    AtomicReference<byte[]> handledBytes = new AtomicReference<>();
    Messaging m = kit.messaging();
    m.subscribe(
        topic,
        group,
        Item.class,
        (item, ctx) -> {
          ByteBuffer payload = ctx.payload();
          byte[] copy = new byte[payload.remaining()];
          payload.get(copy);
          handledBytes.set(copy);
          throw new IllegalStateException(
              "billing failed for order " + item.n(),
              new UncheckedIOException(
                  "ledger unreachable", new IOException("connection refused by ledger")));
        },
        ConsumerOptions.builder().retry(policy).build());
    Map<String, String> headers = Map.of("tenant", "acme", "trace", "4bf92f3577b34da6");
    Instant before = Instant.now();

    Envelope sent =
        m.publish(topic, new Item(7), SendOptions.builder().key("order-7").headers(headers).build())
            .join();

    DeadLetter letter = awaitDeadLetters(m.deadLetters(topic, group), 1).get(0);
    Instant after = Instant.now();
    assertThat(letter.envelope().id()).isEqualTo(sent.id());
    assertThat(letter.envelope().key()).contains("order-7");
    assertThat(letter.envelope().type()).isEqualTo(TestMessages.ITEM);
    assertThat(letter.envelope().headers()).containsAllEntriesOf(headers);
    assertThat(letter.payloadBytes()).isEqualTo(handledBytes.get());
    Failure f = letter.failure().orElseThrow();
    assertThat(f.reason()).isEqualTo(FailureReason.EXCEPTION);
    assertThat(f.exceptionClass()).isEqualTo(IllegalStateException.class.getName());
    assertThat(f.exceptionMessage()).isEqualTo("billing failed for order 7");
    assertThat(f.rootCauseClass()).isEqualTo(IOException.class.getName());
    assertThat(f.rootCauseMessage()).isEqualTo("connection refused by ledger");
    assertThat(f.stackTrace())
        .startsWith(IllegalStateException.class.getName())
        .contains("Caused by: " + UncheckedIOException.class.getName());
    assertThat(f.attempts()).isEqualTo(2);
    assertThat(f.firstFailure()).isBetween(before, after);
    assertThat(f.lastFailure()).isBetween(before, after);
    assertThat(Duration.between(f.firstFailure(), f.lastFailure()))
        .as("first to last failure, across one retry delay")
        .isGreaterThanOrEqualTo(delay);
    assertThat(f.originDestination()).isEqualTo(topic);
    assertThat(f.originGroup()).isEqualTo(group);
  }

  @Test
  @AllowWarnings("the message is dead-lettered on purpose, which the toolkit reports")
  void failureEnvelopeClipsHugeMessagesAndStackTraces() {
    String topic = kit.name("huge-failure");
    String group = kit.name("g");
    String hugeMessage = "the ledger said: " + "no ".repeat(30_000);
    FatalMessageException thrown = deeplyNested(hugeMessage, 10);
    StringWriter fullTrace = new StringWriter();
    thrown.printStackTrace(new PrintWriter(fullTrace));
    Messaging m = kit.messaging();
    m.subscribe(
        topic,
        group,
        Item.class,
        (item, ctx) -> {
          throw thrown;
        });

    m.publish(topic, new Item(1)).join();

    DeadLetter letter = awaitDeadLetters(m.deadLetters(topic, group), 1).get(0);
    Failure f = letter.failure().orElseThrow();
    assertThat(f.exceptionClass()).isEqualTo(FatalMessageException.class.getName());
    assertThat(f.exceptionMessage())
        .startsWith("the ledger said: no no")
        .hasSizeLessThan(hugeMessage.length());
    assertThat(f.rootCauseMessage()).isEqualTo("innermost cause");
    assertThat(f.stackTrace())
        .startsWith(FatalMessageException.class.getName())
        .hasSizeLessThan(fullTrace.toString().length());
    int headerChars =
        letter.envelope().headers().entrySet().stream()
            .filter(e -> e.getKey().startsWith(Failure.PREFIX))
            .mapToInt(e -> e.getKey().length() + e.getValue().length())
            .sum();
    assertThat(headerChars).as("size of all failure headers").isLessThan(FAILURE_HEADER_BUDGET);
  }

  @Test
  @AllowWarnings("the message is dead-lettered on purpose, which the toolkit reports")
  void eachGroupHasADeadLetterQueueOfItsOwn() {
    String topic = kit.name("per-group");
    String failing = kit.name("failing");
    String healthy = kit.name("healthy");
    Tally healthyHandled = new Tally();
    Messaging m = kit.messaging();
    m.subscribe(
        topic,
        failing,
        Item.class,
        (item, ctx) -> {
          throw new FatalMessageException("this group rejects everything");
        });
    kit.messaging()
        .subscribe(topic, healthy, Item.class, (item, ctx) -> healthyHandled.record(item.n()));

    m.publish(topic, new Item(4)).join();

    List<DeadLetter> letters = awaitDeadLetters(m.deadLetters(topic, failing), 1);
    kit.await().untilAsserted(() -> assertThat(healthyHandled.numbers()).containsExactly(4));
    assertThat(letters.get(0).failure().map(Failure::originGroup)).contains(failing);
    assertThat(m.deadLetters(topic, healthy).browse(10)).isEmpty();
    assertThat(healthyHandled.duplicates()).isEmpty();
  }

  /**
   * A message at both default header limits (1 000 headers, 80 KiB) gains the largest failure
   * envelope the toolkit writes (messages and trace of three-byte characters, clipped) and must
   * still fit the broker as a dead letter; redriven, it gains provenance headers and must not be
   * refused by the consumer's limits.
   */
  @Test
  @AllowWarnings("the message is dead-lettered on purpose, which the toolkit reports")
  void aMessageAtTheDefaultHeaderLimitsIsDeadLetteredIntactAndRedrivenWithoutBeingRefused() {
    String topic = kit.name("header-limits");
    String group = kit.name("g");
    Map<String, String> atLimits = Fixtures.headers(1000, 80 * 1024);
    List<Envelope> handled = new CopyOnWriteArrayList<>();
    Messaging m = kit.messaging();
    m.subscribe(
        topic,
        group,
        Item.class,
        (item, ctx) -> {
          if (ctx.envelope().headers().get(Redrive.COUNT) == null) {
            // Longer than every clip of the failure envelope, and three bytes a character.
            throw new FatalMessageException("\u20ac".repeat(10_000));
          }
          handled.add(ctx.envelope());
        });

    Envelope sent =
        m.publish(topic, new Item(1), SendOptions.builder().headers(atLimits).build()).join();

    DeadLetters dlq = m.deadLetters(topic, group);
    DeadLetter letter = awaitDeadLetters(dlq, 1).get(0);
    assertThat(letter.envelope().id()).isEqualTo(sent.id());
    assertThat(letter.envelope().headers()).containsAllEntriesOf(atLimits);
    assertThat(letter.failure().map(Failure::reason)).contains(FailureReason.EXCEPTION);
    assertThat(letter.failure().map(Failure::stackTrace).orElseThrow()).contains("\u20ac\u20ac");
    assertThat(dlq.redrive(Redrive.all()).moved()).isEqualTo(1);
    kit.await().untilAsserted(() -> assertThat(handled).hasSize(1));
    assertThat(handled.get(0).id()).isEqualTo(sent.id());
    assertThat(handled.get(0).headers()).containsAllEntriesOf(atLimits);
    assertThat(dlq.browse(10)).isEmpty();
  }

  private List<DeadLetter> awaitDeadLetters(DeadLetters dlq, int count) {
    List<DeadLetter> seen = new CopyOnWriteArrayList<>();
    kit.await()
        .untilAsserted(
            () -> {
              seen.clear();
              seen.addAll(dlq.browse(count + 10));
              assertThat(seen).hasSize(count);
            });
    return List.copyOf(seen);
  }

  private static FatalMessageException deeplyNested(String message, int depth) {
    RuntimeException cause = new IllegalStateException("innermost cause");
    for (int i = 0; i < depth; i++) {
      cause = new IllegalStateException("layer " + i + " of the ledger client", cause);
    }
    return new FatalMessageException(message, cause);
  }
}
