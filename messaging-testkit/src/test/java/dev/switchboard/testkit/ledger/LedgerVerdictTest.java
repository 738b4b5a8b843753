package dev.switchboard.testkit.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class LedgerVerdictTest {
  private static final LedgerPlan PLAN =
      new LedgerPlan(
          LedgerPlan.Mode.WORK_QUEUE, "jobs", "jobs", 6, 2, 1, -1, Duration.ZERO, Map.of());
  private static final Set<String> ALL =
      IntStream.range(0, 6).mapToObj(LedgerPlan::id).collect(Collectors.toSet());

  @Test
  void anUnhandledMessageIsLostAndARepeatIsADuplicate() {
    List<Handling> ledger = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      ledger.add(ok(i, 100 + i));
    }
    ledger.add(ok(0, 200));

    LedgerVerdict v = LedgerVerdict.of(PLAN, ALL, ledger, List.of());

    assertThat(v.line()).isEqualTo("LEDGER sent=6 handled=5 deadlettered=0 lost=1 duplicates=1");
    assertThat(v.problems()).anyMatch(p -> p.startsWith("1 lost") && p.contains("m-000005"));
  }

  @Test
  void aFirstHandlingBeforeAnEarlierMessageOfItsKeyIsReordered() {
    // Keys alternate, so m-000000, m-000002 and m-000004 share k-0.
    List<Handling> inOrder = List.of(ok(0, 10), ok(2, 30), ok(4, 40), ok(2, 50), ok(1, 5));
    List<Handling> swapped = List.of(ok(0, 10), ok(2, 30), ok(4, 20), ok(1, 5));

    assertThat(LedgerVerdict.of(PLAN, ALL, inOrder, List.of()).reordered()).isZero();
    assertThat(LedgerVerdict.of(PLAN, ALL, swapped, List.of()).reordered()).isEqualTo(1);
  }

  private static Handling ok(int index, long start) {
    return new Handling(LedgerPlan.id(index), 1, 1, Handling.Outcome.OK, start);
  }
}
