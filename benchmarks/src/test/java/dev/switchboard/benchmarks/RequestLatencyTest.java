package dev.switchboard.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.switchboard.messaging.BulkheadFullException;
import dev.switchboard.messaging.RequestTimeoutException;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

class RequestLatencyTest {
  private static final long MS = 1_000_000;

  @Test
  void outcomes_measureFromTheIntendedSendTime() {
    RequestLatency.Outcomes outcomes = new RequestLatency.Outcomes();
    // Intended at 10 ms; replies at 11, 12, ... 110 ms: latencies of 1 to 100 ms.
    for (int i = 1; i <= 100; i++) {
      outcomes.settle(10 * MS, (10 + i) * MS, null);
    }
    Map<String, Double> m = outcomes.metrics(100, 0, 1_000 * MS);
    assertThat(m.get("p50 us")).isCloseTo(50_000, within(50.0));
    assertThat(m.get("p99 us")).isCloseTo(99_000, within(100.0));
    assertThat(m.get("p99.9 us")).isCloseTo(100_000, within(100.0));
    // From the start (0) to the last reply (110 ms), not to the end of the run (1 s).
    assertThat(m.get("received/s")).isCloseTo(100 / 0.110, within(1e-6));
    assertThat(m.get("timed out")).isZero();
    assertThat(m).doesNotContainKey("failed");
  }

  @Test
  void outcomes_countTimeoutsOfEitherClientAndWhatNeverCameBack() {
    RequestLatency.Outcomes outcomes = new RequestLatency.Outcomes();
    outcomes.settle(0, 500 * MS, null);
    outcomes.settle(0, MS, new TimeoutException());
    outcomes.settle(0, MS, new CompletionException(new RequestTimeoutException("late")));
    outcomes.settle(0, MS, new BulkheadFullException("full"));
    // Ten scheduled: one reply, two timeouts, one refusal; six unsent or unanswered at the end.
    Map<String, Double> m = outcomes.metrics(10, 0, 1_000 * MS);
    assertThat(outcomes.settled()).isEqualTo(4);
    assertThat(m.get("timed out")).isEqualTo(8);
    assertThat(m.get("failed")).isEqualTo(1);
    assertThat(m.get("received/s")).isEqualTo(2);
  }

  @Test
  void outcomes_keepTimedOutRequestsInThePercentiles_atTheTimeTheyHadWaited() {
    RequestLatency.Outcomes outcomes = new RequestLatency.Outcomes();
    // 98 replies after 1 ms and 2 timeouts 5 s after their intended time: the p99 is a timeout,
    // not the fastest reply left after dropping them.
    for (int i = 0; i < 98; i++) {
      outcomes.settle(0, MS, null);
    }
    outcomes.settle(0, 5_000 * MS, new TimeoutException());
    outcomes.settle(0, 5_000 * MS, new CompletionException(new RequestTimeoutException("late")));
    Map<String, Double> m = outcomes.metrics(100, 0, 6_000 * MS);
    assertThat(m.get("p50 us")).isCloseTo(1_000, within(5.0));
    assertThat(m.get("p99 us")).isGreaterThanOrEqualTo(4_990_000);
    assertThat(m.get("timed out")).isEqualTo(2);
  }

  @Test
  void outcomes_withoutAnyReply_haveNoPercentiles() {
    RequestLatency.Outcomes outcomes = new RequestLatency.Outcomes();
    Map<String, Double> m = outcomes.metrics(3, 0, 1_000 * MS);
    assertThat(m.get("p50 us")).isNaN();
    assertThat(m.get("received/s")).isZero();
    assertThat(m.get("p99.9 us")).isNaN();
    assertThat(m.get("timed out")).isEqualTo(3);
  }

  @Test
  void outcomes_replyBeforeItsIntendedTime_countsAsZero() {
    RequestLatency.Outcomes outcomes = new RequestLatency.Outcomes();
    outcomes.settle(5 * MS, 4 * MS, null);
    assertThat(outcomes.metrics(1, 0, 1_000 * MS).get("p50 us")).isZero();
  }
}
