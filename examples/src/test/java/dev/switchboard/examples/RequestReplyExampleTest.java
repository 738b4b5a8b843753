package dev.switchboard.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(NoWarnings.class)
class RequestReplyExampleTest {
  static final RequestReplyExample.Settings FAST =
      new RequestReplyExample.Settings(
          Duration.ofSeconds(2),
          Duration.ofMillis(150),
          Duration.ofMillis(300),
          Duration.ofMillis(300));

  @Test
  void repliesAreCorrelatedAndTimeoutsErrorsOutageAndDeadlinesShow() throws Exception {
    Output out = new Output();
    RequestReplyExample.Result r;
    try (Backend backend = new MemoryBackend()) {
      r = new RequestReplyExample(backend, RunNames.random(), out.writer(), FAST).run();
    }

    assertThat(r.asked()).isEqualTo(4);
    assertThat(r.correlated()).isEqualTo(r.asked());
    assertThat(r.timedOut()).isTrue();
    assertThat(r.lateReplyDropped()).isTrue();
    assertThat(r.remoteErrorType()).isEqualTo(UnknownSkuException.class.getName());
    assertThat(r.remoteErrorMessage()).contains(RequestReplyExample.UNKNOWN_SKU);
    // Two timeouts open the breaker of the client's request policy; the two calls after that are
    // refused unsent, and the trial call after the pause closes it again.
    assertThat(r.timeoutsWhileStopped()).isEqualTo(2);
    assertThat(r.refusedFast()).isEqualTo(2);
    assertThat(r.recovered()).isTrue();
    assertThat(r.breakerTransitions())
        .containsExactly("CLOSED -> OPEN", "OPEN -> HALF_OPEN", "HALF_OPEN -> CLOSED");
    assertThat(r.expiredSkipped()).isEqualTo(2);
    assertThat(r.outerBudget()).isPositive().isLessThanOrEqualTo(FAST.timeout());
    assertThat(r.nestedBudget()).isPositive().isLessThan(r.outerBudget());
    assertThat(r.nestedAlwaysSmaller()).isTrue();
    assertThat(r.ok()).isTrue();
    assertThat(out.toString())
        .contains("correlation matches")
        .contains("breaker OPEN")
        .contains("refused in")
        .contains("breaker transitions: CLOSED -> OPEN, OPEN -> HALF_OPEN, HALF_OPEN -> CLOSED");
  }
}
