package dev.switchboard.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LoopsTest {
  @Test
  void periodNanos_isOneSecondDividedByTheRate() {
    assertThat(Loops.periodNanos(1_000)).isEqualTo(1_000_000);
    assertThat(Loops.periodNanos(3)).isEqualTo(333_333_333);
  }

  @Test
  void periodNanos_aboveOneBillionPerSecond_isOneNanosecond() {
    assertThat(Loops.periodNanos(5e9)).isEqualTo(1);
  }

  @Test
  void periodNanos_ofNoRate_isRejected() {
    for (double rate : new double[] {0, -1, Double.NaN, Double.POSITIVE_INFINITY}) {
      assertThatThrownBy(() -> Loops.periodNanos(rate))
          .as("rate %s", rate)
          .isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void intendedNanos_isStartPlusIndexPeriods() {
    assertThat(Loops.intendedNanos(5_000, 250, 0)).isEqualTo(5_000);
    assertThat(Loops.intendedNanos(5_000, 250, 4)).isEqualTo(6_000);
  }

  @Test
  void offeredRate_isThatShareOfTheCapacity() {
    assertThat(Loops.offeredRate(11_532, 25)).isEqualTo(2_883);
    assertThat(Loops.offeredRate(11_532, 50)).isEqualTo(5_766);
  }

  @Test
  void offeredRate_ofAFailedCapacityMeasurement_isRejected() {
    assertThatThrownBy(() -> Loops.offeredRate(0, 25))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("capacity");
    assertThatThrownBy(() -> Loops.offeredRate(Double.NaN, 25))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Loops.offeredRate(100, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("percent");
  }

  @Test
  void sends_isRateTimesTimeAndAtLeastOne() {
    assertThat(Loops.sends(2_883, Duration.ofSeconds(2))).isEqualTo(5_766);
    assertThat(Loops.sends(1_000, Duration.ofMillis(1_500))).isEqualTo(1_500);
    assertThat(Loops.sends(0.1, Duration.ofSeconds(2))).isEqualTo(1);
  }

  @Test
  void paced_whenEverySendIsLate_sendsThemAllAtOnceInOrder() {
    long start = System.nanoTime() - Duration.ofSeconds(10).toNanos();
    List<Integer> sent = new ArrayList<>();
    int count =
        Loops.paced(
            start, 1_000, 5, System.nanoTime() + Duration.ofMinutes(1).toNanos(), sent::add);
    assertThat(count).isEqualTo(5);
    assertThat(sent).containsExactly(0, 1, 2, 3, 4);
  }

  @Test
  void paced_neverSendsBeforeTheIntendedTime() {
    long period = 200_000;
    long start = System.nanoTime() - 2 * period;
    long[] at = new long[6];
    Loops.paced(
        start,
        period,
        at.length,
        System.nanoTime() + Duration.ofMinutes(1).toNanos(),
        i -> at[i] = System.nanoTime());
    for (int i = 0; i < at.length; i++) {
      assertThat(at[i])
          .as("send %d", i)
          .isGreaterThanOrEqualTo(Loops.intendedNanos(start, period, i));
    }
  }

  @Test
  void paced_pastItsDeadline_sendsNothingAndSaysSo() {
    long now = System.nanoTime();
    List<Integer> sent = new ArrayList<>();
    assertThat(Loops.paced(now, 1_000, 5, now - 1, sent::add)).isZero();
    assertThat(sent).isEmpty();
  }
}
