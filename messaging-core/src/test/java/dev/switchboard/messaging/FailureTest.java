package dev.switchboard.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FailureTest {
  private final Instant first = Instant.parse("2026-03-01T10:00:00Z");
  private final Instant last = Instant.parse("2026-03-01T10:00:05Z");

  @Test
  void rootCauseIsTheInnermostCauseNotTheWrapper() {
    java.io.IOException root = new java.io.IOException("disk gone");
    RuntimeException wrapper =
        new IllegalStateException("save failed", new UncheckedIOException("io", root));
    Failure f = Failure.of(FailureReason.EXCEPTION, wrapper, 4, first, last, "orders", "billing");
    assertThat(f.exceptionClass()).isEqualTo(IllegalStateException.class.getName());
    assertThat(f.exceptionMessage()).isEqualTo("save failed");
    assertThat(f.rootCauseClass()).isEqualTo(java.io.IOException.class.getName());
    assertThat(f.rootCauseMessage()).isEqualTo("disk gone");
  }

  @Test
  void everyFieldSurvivesTheHeaderRoundTrip() {
    Failure f =
        Failure.of(FailureReason.DECODE, new DecodeException("bad json"), 1, first, last, "t", "g");
    Map<String, String> headers = f.toHeaders();
    assertThat(headers)
        .containsKeys(
            Failure.REASON,
            Failure.EXCEPTION,
            Failure.MESSAGE,
            Failure.ROOT_EXCEPTION,
            Failure.ROOT_MESSAGE,
            Failure.STACK_TRACE,
            Failure.ATTEMPTS,
            Failure.FIRST_TIME,
            Failure.LAST_TIME,
            Failure.ORIGIN,
            Failure.GROUP);
    assertThat(Failure.fromHeaders(headers)).contains(f);
    assertThat(headers.get(Failure.REASON)).isEqualTo("DECODE");
    assertThat(headers.get(Failure.ATTEMPTS)).isEqualTo("1");
    assertThat(headers.get(Failure.FIRST_TIME)).isEqualTo("2026-03-01T10:00:00Z");
  }

  @Test
  void stackTraceAndMessagesAreBounded() {
    String huge = "x".repeat(100_000);
    RuntimeException deep = new RuntimeException(huge);
    for (int i = 0; i < 200; i++) {
      deep = new RuntimeException("level " + i, deep);
    }
    Failure f = Failure.of(FailureReason.EXCEPTION, deep, 2, first, last, "t", "g");
    assertThat(f.stackTrace().length()).isLessThanOrEqualTo(Failure.MAX_STACK);
    assertThat(f.exceptionMessage().length()).isLessThanOrEqualTo(Failure.MAX_MESSAGE);
    assertThat(f.rootCauseMessage().length()).isLessThanOrEqualTo(Failure.MAX_MESSAGE);
    assertThat(f.rootCauseMessage()).startsWith("xxx").endsWith("...");
  }

  @Test
  void headersWithoutAReasonAreNotAFailureEnvelope() {
    assertThat(Failure.fromHeaders(Map.of("a", "b"))).isEmpty();
    assertThat(Failure.fromHeaders(Map.of(Failure.REASON, "NOT_A_REASON"))).isEmpty();
  }
}
