package dev.switchboard.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class StatsTest {
  @Test
  void median_oddCount_isTheMiddleValue() {
    assertThat(Stats.median(new double[] {9, 1, 5})).isEqualTo(5);
  }

  @Test
  void median_evenCount_isTheMeanOfTheTwoMiddleValues() {
    assertThat(Stats.median(new double[] {4, 1, 3, 2})).isEqualTo(2.5);
  }

  @Test
  void median_leavesItsInputUnsorted() {
    double[] values = {3, 1, 2};
    Stats.median(values);
    assertThat(values).containsExactly(3, 1, 2);
  }

  @Test
  void ratios_divideEachRoundByTheSameRoundOfTheOtherSide() {
    double[] ratios = Stats.ratios(new double[] {90, 50, 120}, new double[] {100, 100, 100});
    assertThat(ratios).containsExactly(0.9, 0.5, 1.2);
    assertThat(Stats.median(ratios)).isEqualTo(0.9);
    assertThat(Stats.min(ratios)).isEqualTo(0.5);
    assertThat(Stats.max(ratios)).isEqualTo(1.2);
  }

  @Test
  void ratios_medianOfRatiosDiffersFromRatioOfMedians() {
    // Round-by-round pairing cancels drift: a slow second round hurts both sides.
    double[] toolkit = {100, 50, 100};
    double[] baseline = {100, 50, 200};
    assertThat(Stats.median(Stats.ratios(toolkit, baseline))).isEqualTo(1.0);
    assertThat(Stats.median(toolkit) / Stats.median(baseline)).isCloseTo(1.0, within(1e-9));
    assertThat(Stats.ratios(toolkit, baseline)).containsExactly(1.0, 1.0, 0.5);
  }

  @Test
  void ratios_againstZero_isNotANumber() {
    assertThat(Stats.ratios(new double[] {1}, new double[] {0})[0]).isNaN();
  }

  @Test
  void ratios_ofDifferentRoundCounts_areRejected() {
    assertThatThrownBy(() -> Stats.ratios(new double[] {1, 2}, new double[] {1}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("rounds differ");
  }

  @Test
  void emptyInput_isRejected() {
    assertThatThrownBy(() -> Stats.median(new double[0]))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
