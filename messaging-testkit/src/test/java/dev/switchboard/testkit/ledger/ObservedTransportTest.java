package dev.switchboard.testkit.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.messaging.Envelope;
import dev.switchboard.messaging.PublishException;
import dev.switchboard.messaging.memory.InMemoryTransport;
import dev.switchboard.messaging.spi.Delivery;
import dev.switchboard.messaging.spi.WireMessage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ObservedTransportTest {
  private static final WireMessage LETTER =
      new WireMessage(
          Envelope.builder().id("m-000007").type("LedgerJob").build(),
          "{}".getBytes(StandardCharsets.UTF_8));

  @Test
  void aRefusedDeadLetterIsRecordedAndTheCoreGetsTheSameStage(@TempDir Path dir) {
    CompletableFuture<Void> refused =
        CompletableFuture.failedFuture(
            new PublishException("the broker refused (nack) the message"));
    try (InMemoryTransport memory = InMemoryTransport.create()) {
      Delivery observed = new ObservedTransport(memory, dir, 42).observe(new Fixed(refused));

      CompletionStage<Void> stage = observed.deadLetter(LETTER);

      assertThat(stage).isSameAs(refused);
    }
    List<FailedDeadLetter> recorded = FailedDeadLetter.readAll(dir);
    assertThat(recorded).singleElement().satisfies(f -> assertThat(f.id()).isEqualTo("m-000007"));
    assertThat(recorded.get(0).pid()).isEqualTo(42);
    assertThat(recorded.get(0).error())
        .isEqualTo(PublishException.class.getName() + ": the broker refused (nack) the message");
  }

  @Test
  void aStoredDeadLetterLeavesNoRecord(@TempDir Path dir) {
    try (InMemoryTransport memory = InMemoryTransport.create()) {
      Delivery observed =
          new ObservedTransport(memory, dir, 42)
              .observe(new Fixed(CompletableFuture.completedFuture(null)));

      assertThat(observed.deadLetter(LETTER)).isCompleted();
    }

    assertThat(FailedDeadLetter.readAll(dir)).isEmpty();
  }

  @Test
  void aPartialLastLineLeftByAKillIsIgnored() {
    List<FailedDeadLetter> read = new ArrayList<>();

    FailedDeadLetter.read("m-000001\t7\t5\tX: refused\nm-000002\t7\t6\tX: ref", read);

    assertThat(read).extracting(FailedDeadLetter::id).containsExactly("m-000001");
  }

  @Test
  void theErrorKeepsItsCausesOnOneLine() {
    Exception error =
        new IllegalStateException("outer\ttext", new IllegalArgumentException("inner\nline"));

    assertThat(FailedDeadLetter.describe(error))
        .isEqualTo(
            "java.lang.IllegalStateException: outer text"
                + " <- java.lang.IllegalArgumentException: inner line");
  }

  /** A delivery whose dead-letter publish ends as given; nothing else is used. */
  private record Fixed(CompletableFuture<Void> deadLetter) implements Delivery {
    @Override
    public WireMessage message() {
      return LETTER;
    }

    @Override
    public List<String> problems() {
      return List.of();
    }

    @Override
    public Object nativeRecord() {
      return LETTER;
    }

    @Override
    public CompletionStage<Void> ack() {
      return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletionStage<Void> release() {
      return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletionStage<Void> redeliver(WireMessage next, Duration delay) {
      return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletionStage<Void> deadLetter(WireMessage deadLetter) {
      return this.deadLetter;
    }
  }
}
