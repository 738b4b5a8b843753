package dev.switchboard.testkit.ledger;

import dev.switchboard.messaging.DeadLetter;
import dev.switchboard.messaging.FailureReason;
import dev.switchboard.messaging.FatalMessageException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * What a ledger run proved, computed from the plan, the ids whose publish was confirmed, the merged
 * ledgers and the dead-letter queue.
 *
 * <ul>
 *   <li>{@code handled}: sent ids with at least one successful handling;
 *   <li>{@code deadlettered}: distinct sent ids in the dead-letter queue;
 *   <li>{@code lost}: sent ids neither handled nor dead-lettered, which equals {@code sent -
 *       handled - deadlettered} because no id may be both ({@code handledAndDead} counts those);
 *   <li>{@code duplicates}: successful handlings beyond the first of each id (at-least-once allows
 *       them);
 *   <li>{@code reordered}: sent messages whose first handling started before the first handling of
 *       an earlier message of the same key. A message's first handling is its earliest handling of
 *       any outcome; messages never handled are left out. Per-key order holds when this is zero.
 *       Later attempts (in process or redelivered) and repeats after a crash are not ordered by any
 *       transport, so they do not count.
 * </ul>
 *
 * @param sent ids whose publish the broker confirmed
 * @param handled see above
 * @param deadlettered see above
 * @param lost see above
 * @param duplicates see above
 * @param handlings every complete ledger line
 * @param retries handlings that failed transiently
 * @param reordered see above
 * @param problems every broken promise other than order, one line each; empty when the run passed
 */
public record LedgerVerdict(
    int sent,
    int handled,
    int deadlettered,
    int lost,
    int duplicates,
    int handlings,
    int retries,
    int reordered,
    List<String> problems) {
  private static final int SHOWN = 10;

  public LedgerVerdict {
    problems = List.copyOf(problems);
  }

  /**
   * The one-line summary, {@code LEDGER sent=.. handled=.. deadlettered=.. lost=.. duplicates=..}.
   */
  public String line() {
    return "LEDGER sent="
        + sent
        + " handled="
        + handled
        + " deadlettered="
        + deadlettered
        + " lost="
        + lost
        + " duplicates="
        + duplicates;
  }

  /**
   * Computes the verdict.
   *
   * @param plan the run's plan
   * @param sentIds the ids whose publish was confirmed
   * @param ledger every complete handling from every child
   * @param deadLetters the whole dead-letter queue of the run's group
   */
  public static LedgerVerdict of(
      LedgerPlan plan, Set<String> sentIds, List<Handling> ledger, List<DeadLetter> deadLetters) {
    List<String> problems = new ArrayList<>();
    Map<String, Integer> okCount = new HashMap<>();
    Map<String, Long> firstStart = new HashMap<>();
    int retries = 0;
    for (Handling h : ledger) {
      if (h.outcome() == Handling.Outcome.OK) {
        okCount.merge(h.id(), 1, Integer::sum);
      } else if (h.outcome() == Handling.Outcome.RETRY) {
        retries++;
      }
      firstStart.merge(h.id(), h.startMicros(), Math::min);
    }
    Map<String, Integer> deadCount = new LinkedHashMap<>();
    Map<String, Set<String>> deadFailures = new HashMap<>();
    for (DeadLetter d : deadLetters) {
      String id = d.envelope().id();
      deadCount.merge(id, 1, Integer::sum);
      deadFailures
          .computeIfAbsent(id, k -> new HashSet<>())
          .add(d.failure().map(f -> f.lastFailure() + "/" + f.attempts()).orElse("none"));
      checkEnvelope(plan, d, problems);
    }

    Set<String> handled = new HashSet<>();
    Set<String> dead = new HashSet<>();
    Set<String> lost = new TreeSet<>();
    int duplicates = 0;
    for (String id : sentIds) {
      int ok = okCount.getOrDefault(id, 0);
      if (ok > 0) {
        handled.add(id);
        duplicates += ok - 1;
      }
      if (deadCount.containsKey(id)) {
        dead.add(id);
      }
      if (ok == 0 && !deadCount.containsKey(id)) {
        lost.add(id);
      }
    }
    report(problems, "lost (neither handled nor dead-lettered)", lost);
    report(problems, "both handled and dead-lettered", intersection(handled, dead));
    Set<String> notDead = new TreeSet<>();
    Set<String> wronglyDead = new TreeSet<>();
    for (String id : sentIds) {
      boolean fatal = LedgerPlan.isFatal(id);
      if (fatal && !dead.contains(id)) {
        notDead.add(id);
      }
      if (!fatal && dead.contains(id)) {
        wronglyDead.add(id);
      }
    }
    report(problems, "fatal but not in the dead-letter queue", notDead);
    report(problems, "dead-lettered although not fatal", wronglyDead);
    Set<String> repeated = new TreeSet<>();
    Set<String> unknown = new TreeSet<>();
    // At-least-once allows a second dead letter when the message really failed twice (its
    // consumer was killed after the dead-letter publish and before the acknowledgement, so it was
    // delivered and failed again). Two copies of one and the same failure mean the toolkit
    // published a dead letter twice, which is a bug.
    deadCount.forEach(
        (id, n) -> {
          if (n > deadFailures.get(id).size()) {
            repeated.add(id + " x" + n);
          }
          if (!sentIds.contains(id)) {
            unknown.add(id);
          }
        });
    report(problems, "dead-lettered more than once for the same failure", repeated);
    report(problems, "in the dead-letter queue but never confirmed as sent", unknown);
    return new LedgerVerdict(
        sentIds.size(),
        handled.size(),
        dead.size(),
        lost.size(),
        duplicates,
        ledger.size(),
        retries,
        reordered(plan, sentIds, firstStart),
        problems);
  }

  /** For every id dead-lettered more than once: its handlings and the dead letters' times. */
  static List<String> evidence(List<Handling> ledger, List<DeadLetter> deadLetters) {
    Map<String, List<String>> letters = new LinkedHashMap<>();
    for (DeadLetter d : deadLetters) {
      letters
          .computeIfAbsent(d.envelope().id(), id -> new ArrayList<>())
          .add(d.failure().map(f -> f.lastFailure().toString()).orElse("no failure envelope"));
    }
    List<String> out = new ArrayList<>();
    letters.forEach(
        (id, times) -> {
          if (times.size() > 1) {
            List<String> seen = new ArrayList<>();
            for (Handling h : ledger) {
              if (h.id().equals(id)) {
                seen.add(
                    h.outcome()
                        + " attempt "
                        + h.attempt()
                        + " pid "
                        + h.pid()
                        + " at "
                        + Instant.EPOCH.plus(h.startMicros(), ChronoUnit.MICROS));
              }
            }
            out.add(id + " dead letters at " + times + "; handlings " + seen);
          }
        });
    return out;
  }

  private static void checkEnvelope(LedgerPlan plan, DeadLetter d, List<String> problems) {
    String id = d.envelope().id();
    if (d.failure().isEmpty()) {
      problems.add("dead letter " + id + " has no failure envelope");
      return;
    }
    var f = d.failure().get();
    boolean ok =
        f.reason() == FailureReason.EXCEPTION
            && f.exceptionClass().equals(FatalMessageException.class.getName())
            && f.exceptionMessage().contains(id)
            && f.attempts() >= 1
            && !f.stackTrace().isEmpty()
            && f.originDestination().equals(plan.destination())
            && f.originGroup().equals(plan.group())
            && !f.lastFailure().isBefore(f.firstFailure());
    if (!ok) {
      problems.add("dead letter " + id + " has an unexpected failure envelope: " + f);
    }
  }

  private static int reordered(LedgerPlan plan, Set<String> sentIds, Map<String, Long> first) {
    Map<String, Long> latestByKey = new HashMap<>();
    int reordered = 0;
    // plan.jobs() is in publish order, so within a key it is ascending in seq.
    for (LedgerJob job : plan.jobs()) {
      Long start = first.get(job.id());
      if (start == null || !sentIds.contains(job.id())) {
        continue;
      }
      Long latest = latestByKey.get(job.key());
      if (latest != null && start < latest) {
        reordered++;
      } else {
        latestByKey.put(job.key(), start);
      }
    }
    return reordered;
  }

  private static Set<String> intersection(Set<String> a, Set<String> b) {
    Set<String> both = new TreeSet<>(a);
    both.retainAll(b);
    return both;
  }

  private static void report(List<String> problems, String what, Collection<String> ids) {
    if (ids.isEmpty()) {
      return;
    }
    List<String> shown = new ArrayList<>(ids).subList(0, Math.min(SHOWN, ids.size()));
    problems.add(ids.size() + " " + what + ": " + shown + (ids.size() > SHOWN ? " ..." : ""));
  }
}
