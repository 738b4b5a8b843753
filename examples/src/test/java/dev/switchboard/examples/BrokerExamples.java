package dev.switchboard.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

/** The checks every broker runs the examples through, with small batches. */
final class BrokerExamples {
  private BrokerExamples() {}

  static void orderEvents(Backend backend, RunNames names) throws InterruptedException {
    OrderEventsExample.Result r =
        new OrderEventsExample(backend, names, new Output().writer(), 5, 9).run();

    assertThat(r.complete()).isTrue();
    assertThat(r.billingSaw()).isEqualTo(r.published()).isEqualTo(15);
    assertThat(r.shippingSaw()).isEqualTo(r.published());
    assertThat(r.billingInOrder()).isTrue();
    if (r.orderPromised()) {
      assertThat(r.shippingInOrder()).isTrue();
    }
    assertThat(r.paymentsMatch()).isTrue();
    assertThat(r.ok()).isTrue();
  }

  static void workQueue(Backend backend, RunNames names) throws InterruptedException {
    WorkQueueExample.Result r =
        new WorkQueueExample(
                backend,
                names,
                new Output().writer(),
                new WorkQueueExample.Settings(
                    150, 3, 0.20, 0.05, Duration.ZERO, WorkQueueExample.fastRetry(), false, 11))
            .run();

    assertThat(r.complete()).isTrue();
    assertThat(r.lost()).isZero();
    assertThat(r.plannedFatal()).isPositive();
    assertThat(r.deadLettered()).isEqualTo(r.plannedFatal());
    assertThat(r.retried()).isGreaterThanOrEqualTo(r.injectedGlitches());
    assertThat(r.redriven()).isEqualTo((int) r.deadLettered());
    assertThat(r.handledTotal()).isEqualTo(r.jobs());
    assertThat(r.deadLettersLeft()).isZero();
    assertThat(r.ok()).isTrue();
  }

  static void requestReply(Backend backend, RunNames names) throws InterruptedException {
    RequestReplyExample.Result r =
        new RequestReplyExample(
                backend,
                names,
                new Output().writer(),
                RequestReplyExample.Settings.defaults(backend))
            .run();

    assertThat(r.correlated()).isEqualTo(r.asked());
    assertThat(r.timedOut()).isTrue();
    assertThat(r.lateReplyDropped()).isTrue();
    assertThat(r.remoteErrorType()).isEqualTo(UnknownSkuException.class.getName());
    assertThat(r.timeoutsWhileStopped()).isEqualTo(2);
    assertThat(r.refusedFast()).isEqualTo(2);
    assertThat(r.recovered()).isTrue();
    assertThat(r.breakerTransitions())
        .containsExactly("CLOSED -> OPEN", "OPEN -> HALF_OPEN", "HALF_OPEN -> CLOSED");
    assertThat(r.nestedBudget()).isLessThan(r.outerBudget());
    assertThat(r.ok()).isTrue();
  }
}
