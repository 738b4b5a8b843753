package dev.switchboard.testkit.ledger;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.function.DoubleSupplier;

/**
 * The dead-letter outage of one ledger run: the transport's test makes the group's dead-letter
 * destination refuse publishes on the broker ({@code begin}) and accept them again ({@code end});
 * this class decides how long the outage lasts and reports what it did.
 *
 * <p>It starts once {@link #FROM} of the messages are settled and lasts until the dead-letter
 * publish of one message has been refused {@link #REFUSALS} times, as the children record in {@link
 * FailedDeadLetter}s, and {@link #UNTIL} of the messages are settled or the outage has lasted
 * {@link #LONGEST}. So a passing run has proved that the broker really refused, and that the core
 * held the message and tried again while it still did. The time limit is there because settling may
 * stop altogether while dead letters are held (a Kafka consumer waits for its held records); it is
 * longer than the 30 s the core retries a dead-letter publish, so such a run also sees a held
 * message given back to the broker and delivered again while the outage lasts.
 */
final class DeadLetterOutage {
  static final double FROM = 0.25;
  static final double UNTIL = 0.35;
  static final int REFUSALS = 2;
  static final Duration LONGEST = Duration.ofSeconds(40);

  /** Waits for a condition until the run's deadline; false (and a problem noted) if it passed. */
  @FunctionalInterface
  interface Wait {
    boolean until(String what, Callable<Boolean> condition);
  }

  /**
   * What one outage did.
   *
   * @param reached whether it ended because its conditions were met, not because the run gave up
   * @param refused the refusals recorded while it lasted, oldest first
   * @param fault the line for the run's fault report
   */
  record Report(boolean reached, List<FailedDeadLetter> refused, String fault) {}

  private final Runnable begin;
  private final Runnable end;
  private final Path runDirectory;

  DeadLetterOutage(Runnable begin, Runnable end, Path runDirectory) {
    this.begin = begin;
    this.end = end;
    this.runDirectory = runDirectory;
  }

  /**
   * Runs the outage now; {@code end} runs whatever happens after {@code begin} started, so the
   * broker is never left refusing.
   */
  Report run(DoubleSupplier progress, Wait wait, long startedAtSecond) {
    double from = progress.getAsDouble();
    Instant begun = Instant.now();
    boolean reached;
    try {
      begin.run();
      reached =
          wait.until(
              "a dead letter refused "
                  + REFUSALS
                  + " times and progress "
                  + UNTIL
                  + " or an outage of "
                  + LONGEST,
              () ->
                  mostRefusals(begun) >= REFUSALS
                      && (progress.getAsDouble() >= UNTIL
                          || Duration.between(begun, Instant.now()).compareTo(LONGEST) >= 0));
    } finally {
      end.run();
    }
    Instant ended = Instant.now();
    List<FailedDeadLetter> refused = refusedBetween(begun, ended);
    Map<String, Long> perMessage = new TreeMap<>();
    refused.forEach(f -> perMessage.merge(f.id(), 1L, Long::sum));
    String fault =
        String.format(
            "dead-letter outage from %.0f%% to %.0f%% settled, t=%ds, lasted %d ms%s: %d"
                + " dead-letter publishes refused, of %d messages (refusals each: %s); first: %s",
            100 * from,
            100 * progress.getAsDouble(),
            startedAtSecond,
            Duration.between(begun, ended).toMillis(),
            progress.getAsDouble() >= UNTIL ? "" : " (its time limit)",
            refused.size(),
            perMessage.size(),
            perMessage.size() <= 10 ? perMessage : perMessage.size() + " messages",
            refused.isEmpty() ? "-" : refused.get(0).error());
    return new Report(reached, refused, fault);
  }

  private long mostRefusals(Instant since) {
    Map<String, Long> perMessage = new HashMap<>();
    refusedBetween(since, Instant.now()).forEach(f -> perMessage.merge(f.id(), 1L, Long::sum));
    return perMessage.values().stream().mapToLong(Long::longValue).max().orElse(0);
  }

  private List<FailedDeadLetter> refusedBetween(Instant from, Instant to) {
    return FailedDeadLetter.readAll(runDirectory).stream()
        .filter(f -> !f.at().isBefore(from) && !f.at().isAfter(to))
        .sorted(Comparator.comparing(FailedDeadLetter::at))
        .toList();
  }
}
