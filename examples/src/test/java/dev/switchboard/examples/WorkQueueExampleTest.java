package dev.switchboard.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(NoWarnings.class)
class WorkQueueExampleTest {
  static WorkQueueExample.Settings small(int jobs) {
    return new WorkQueueExample.Settings(
        jobs, 3, 0.20, 0.05, Duration.ZERO, WorkQueueExample.fastRetry(), false, 11);
  }

  @Test
  void everyJobIsHandledOrDeadLetteredAndTheRedriveEmptiesTheDeadLetterQueue() throws Exception {
    Output out = new Output();
    WorkQueueExample.Result r;
    try (Backend backend = new MemoryBackend()) {
      r = new WorkQueueExample(backend, RunNames.random(), out.writer(), small(300)).run();
    }

    assertThat(r.complete()).isTrue();
    assertThat(r.jobs()).isEqualTo(300);
    assertThat(r.plannedFatal()).isPositive();
    assertThat(r.handledFirstPass() + r.deadLettered()).isEqualTo(r.jobs());
    assertThat(r.lost()).isZero();
    assertThat(r.deadLettered()).isEqualTo(r.plannedFatal());
    // Every injected glitch is followed by exactly one retry: none runs out of attempts.
    assertThat(r.injectedGlitches()).isPositive();
    assertThat(r.retried()).isEqualTo(r.injectedGlitches());
    assertThat(r.redriven()).isEqualTo((int) r.deadLettered());
    assertThat(r.handledTotal()).isEqualTo(r.jobs());
    assertThat(r.deadLettersLeft()).isZero();
    assertThat(r.duplicates()).isZero();
    assertThat(r.perWorker().stream().mapToInt(Integer::intValue).sum()).isEqualTo(r.jobs());
    assertThat(r.ok()).isTrue();
    assertThat(out.toString())
        .contains("FatalMessageException: template 'invoice-v4' is not deployed")
        .contains("work queue summary:");
  }

  @Test
  void settingsRejectRatesAddingUpToMoreThanOne() {
    assertThatThrownBy(
            () ->
                new WorkQueueExample.Settings(
                    10, 1, 0.7, 0.4, Duration.ZERO, WorkQueueExample.fastRetry(), false, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("add up to more than 1");
  }
}
