package dev.switchboard.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.messaging.spi.WireMessage;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * Which later deliveries may reuse a failure whose dead letter was refused: only the very message
 * that failed, never a redriven, corrected or retried copy that happens to keep its id.
 */
class RefusedDeadLetterTest {
  private static final Instant NOW = Instant.parse("2026-12-04T12:00:00Z");

  private final WireMessage original =
      new WireMessage(
          Envelope.builder().id("m-1").type("Job").header("tenant", "a").build(),
          "{\"n\":1}".getBytes(StandardCharsets.UTF_8));
  private final ManagedConsumer.RefusedDeadLetter remembered =
      ManagedConsumer.RefusedDeadLetter.of(
          original,
          Failure.of(
              FailureReason.EXCEPTION,
              new FatalMessageException("job 1 is invalid"),
              1,
              NOW,
              NOW,
              "jobs",
              "jobs"),
          NOW);

  @Test
  void theSameMessageDeliveredAgain_reusesTheFailure() {
    WireMessage again = new WireMessage(original.envelope(), original.body().clone());

    assertThat(remembered.matches(again, NOW.plusSeconds(31))).isTrue();
  }

  @Test
  void aRedrivenCopy_aCorrectedBody_orALaterAttempt_runTheHandlerInstead() {
    WireMessage redriven =
        original.withEnvelope(
            original.envelope().toBuilder().header("sb_redrive_count", "1").build());
    WireMessage corrected =
        new WireMessage(original.envelope(), "{\"n\":2}".getBytes(StandardCharsets.UTF_8));
    WireMessage retried = original.withEnvelope(original.envelope().toBuilder().attempt(2).build());

    assertThat(remembered.matches(redriven, NOW)).isFalse();
    assertThat(remembered.matches(corrected, NOW)).isFalse();
    assertThat(remembered.matches(retried, NOW)).isFalse();
  }

  @Test
  void aFailureRememberedLongAgo_isForgotten() {
    assertThat(remembered.matches(original, NOW.plus(Duration.ofMinutes(30)))).isFalse();
  }
}
