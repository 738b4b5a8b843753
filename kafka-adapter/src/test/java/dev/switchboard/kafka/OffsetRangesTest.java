package dev.switchboard.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class OffsetRangesTest {
  @Test
  void add_mergesNeighbours_andEncodesRelativeToTheBase() {
    OffsetRanges r = new OffsetRanges();
    for (long o : new long[] {12, 14, 13, 20, 11}) {
      r.add(o);
    }

    assertThat(r.size()).isEqualTo(5);
    assertThat(r.encode(10)).isEqualTo("sb1:1-4,10");
    assertThat(r.contains(13)).isTrue();
    assertThat(r.contains(15)).isFalse();
  }

  @Test
  void decode_readsWhatEncodeWrote_andIgnoresForeignMetadata() {
    OffsetRanges r = OffsetRanges.decode("sb1:1-4,10", 100);

    assertThat(r.encode(100)).isEqualTo("sb1:1-4,10");
    assertThat(r.contains(104)).isTrue();
    assertThat(r.contains(110)).isTrue();
    assertThat(OffsetRanges.decode("written by another tool", 0).isEmpty()).isTrue();
    assertThat(OffsetRanges.decode("sb1:3-1", 0).isEmpty()).isTrue();
    assertThat(OffsetRanges.decode("", 0).isEmpty()).isTrue();
  }

  @Test
  void removeBelow_cutsARangeThatSpansTheFloor() {
    OffsetRanges r = OffsetRanges.decode("sb1:0-9,20", 0);

    r.removeBelow(5);

    assertThat(r.encode(5)).isEqualTo("sb1:0-4,15");
    assertThat(r.countBelow(10)).isEqualTo(5);
  }

  @Test
  void remove_splitsARange() {
    OffsetRanges r = OffsetRanges.decode("sb1:0-4", 0);

    r.remove(2);

    assertThat(r.encode(0)).isEqualTo("sb1:0-1,3-4");
  }

  @Test
  void fitting_keepsTheLowestRangesWithinTheBudget() {
    OffsetRanges r = new OffsetRanges();
    for (long o = 0; o < 1000; o += 2) {
      r.add(o);
    }

    OffsetRanges fit = r.fitting(0, 40);

    assertThat(fit.encode(0).length()).isLessThanOrEqualTo(40);
    assertThat(fit.contains(0)).isTrue();
    assertThat(fit.contains(998)).isFalse();
  }
}
