package dev.switchboard.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class PendingOffsetsTest {

  @Test
  void settlingInOrder_movesTheLowestOffsetForward() {
    PendingOffsets p = new PendingOffsets();
    for (long o = 10; o < 20; o++) {
      p.add(o);
    }
    assertThat(p.first()).isEqualTo(10);
    assertThat(p.remove(10)).isTrue();
    assertThat(p.remove(11)).isTrue();
    assertThat(p.first()).isEqualTo(12);
    assertThat(p.size()).isEqualTo(8);
  }

  @Test
  void settlingOutOfOrder_keepsTheLowestUntilItIsSettled() {
    PendingOffsets p = new PendingOffsets();
    p.add(1);
    p.add(2);
    p.add(5);
    assertThat(p.remove(5)).isTrue();
    assertThat(p.remove(2)).isTrue();
    assertThat(p.first()).isEqualTo(1);
    assertThat(p.remove(1)).isTrue();
    assertThat(p.isEmpty()).isTrue();
    assertThatThrownBy(p::first).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void removingWhatIsNotPending_changesNothing() {
    PendingOffsets p = new PendingOffsets();
    p.add(3);
    assertThat(p.remove(4)).isFalse();
    assertThat(p.remove(3)).isTrue();
    assertThat(p.remove(3)).isFalse();
    assertThat(p.size()).isZero();
  }

  @Test
  void aLowerOffsetAfterASeekBack_isInsertedInOrder() {
    PendingOffsets p = new PendingOffsets();
    p.add(100);
    p.add(101);
    p.add(50);
    p.add(100);
    assertThat(p.size()).isEqualTo(3);
    assertThat(p.first()).isEqualTo(50);
  }

  @Test
  void aHeadPendingForLong_keepsTheArrayBoundedWhileLaterOffsetsComeAndGo() {
    PendingOffsets p = new PendingOffsets();
    p.add(0);
    for (long o = 1; o < 1_000_000; o++) {
      p.add(o);
      assertThat(p.remove(o)).isTrue();
    }
    assertThat(p.size()).isEqualTo(1);
    assertThat(p.first()).isZero();
    assertThat(p.capacity()).isEqualTo(64);
  }

  @Test
  void randomAddsAndRemoves_agreeWithASortedSet() {
    Random random = new Random(42);
    PendingOffsets p = new PendingOffsets();
    TreeSet<Long> model = new TreeSet<>();
    long next = 0;
    for (int step = 0; step < 200_000; step++) {
      int what = random.nextInt(10);
      if (what < 5) {
        p.add(next);
        model.add(next);
        next++;
      } else if (what < 9 && !model.isEmpty()) {
        Long above = model.ceiling(model.first() + random.nextInt(40));
        long victim = above == null ? model.first() : above;
        assertThat(p.remove(victim)).isTrue();
        model.remove(victim);
      } else {
        // A seek back: an offset below the highest, pending or not.
        long back = Math.max(0, next - 1 - random.nextInt(100));
        p.add(back);
        model.add(back);
      }
      assertThat(p.size()).isEqualTo(model.size());
      if (!model.isEmpty()) {
        assertThat(p.first()).isEqualTo(model.first());
      }
    }
  }
}
