package dev.switchboard.testkit.ledger;

import static org.awaitility.Awaitility.await;

import dev.switchboard.messaging.DeadLetter;
import dev.switchboard.messaging.DeadLetters;
import dev.switchboard.messaging.Envelope;
import dev.switchboard.messaging.Messaging;
import dev.switchboard.messaging.SendOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.core.ConditionTimeoutException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The parent side of one ledger run: starts the consumer children, publishes the plan's messages,
 * injects the faults, waits for every message to be settled and computes the verdict.
 *
 * <p>Design note. The parent never handles a message; it only publishes, watches the children's
 * ledger files and browses the dead-letter queue. Publishing keeps one message per key in flight
 * and retries a failed publish of that message (same id) until it is confirmed, so the broker holds
 * each key's messages in publish order even across a broker restart; publishes are paced over
 * {@link Builder#publishFor} so that the faults fall while messages are still arriving. Faults are
 * triggered by progress (the share of sent messages settled in the ledgers), not by time, so they
 * land at the same point of the run on a fast or a loaded machine: the first SIGKILL at 20 %, a
 * dead-letter outage from 25 % to 35 %, the second SIGKILL at 40 %, the broker restart at 60 %; a
 * killed child is replaced at once, so the group keeps its size. The outage ({@link
 * DeadLetterOutage}) lasts until the dead-letter publish of one message has been refused twice and
 * either 35 % are settled or 40 s have passed; fatal messages keep arriving during it, because
 * about one in a hundred is fatal. The stall is the plan's and happens inside whichever child gets
 * that message first; a kill never picks the child while it stalls, so the stall runs its full
 * length. Every wait is bounded by {@link Builder#timeout}; when it passes, the run stops waiting
 * and the verdict reports what is missing.
 */
public final class LedgerRun {
  private static final Logger LOG = LoggerFactory.getLogger(LedgerRun.class);
  private static final double[] KILLS_AT = {0.2, 0.4};
  private static final double RESTART_AT = 0.6;
  private static final Duration POLL = Duration.ofMillis(250);

  private final LedgerPlan plan;
  private final Path dir;
  private final Class<?> childMain;
  private final int children;
  private final Messaging messaging;
  private final Runnable brokerRestart;
  private final DeadLetterOutage outage;
  private final Duration publishFor;
  private final Duration timeout;
  private final String label;
  private final List<Child> running = new CopyOnWriteArrayList<>();
  private final List<String> faults = new CopyOnWriteArrayList<>();
  private final List<String> childProblems = new CopyOnWriteArrayList<>();
  private final List<FailedDeadLetter> outageFailures = new CopyOnWriteArrayList<>();
  private final Set<String> sent = ConcurrentHashMap.newKeySet();
  private final AtomicInteger publishFailures = new AtomicInteger();
  private final AtomicInteger childCount = new AtomicInteger();
  private final long begin = System.nanoTime();
  private long deadline;

  private record Child(int number, Process process, Path log) {}

  /**
   * What a run measured: the verdict and what the faults did, for the report.
   *
   * @param verdict what the run proved
   * @param faults one line per fault injected
   * @param detail the {@code LEDGER-DETAIL} line
   * @param outageFailures the dead-letter publishes refused during the dead-letter outage
   */
  public record Result(
      LedgerVerdict verdict,
      List<String> faults,
      String detail,
      List<FailedDeadLetter> outageFailures) {
    public Result {
      faults = List.copyOf(faults);
      outageFailures = List.copyOf(outageFailures);
    }
  }

  private LedgerRun(Builder b) {
    this.plan = Objects.requireNonNull(b.plan, "plan");
    this.dir = Objects.requireNonNull(b.dir, "runDirectory");
    this.childMain = Objects.requireNonNull(b.childMain, "childMain");
    this.messaging = Objects.requireNonNull(b.messaging, "messaging");
    this.brokerRestart = Objects.requireNonNull(b.brokerRestart, "brokerRestart");
    this.outage =
        new DeadLetterOutage(
            Objects.requireNonNull(b.outageBegin, "deadLetterOutage"),
            Objects.requireNonNull(b.outageEnd, "deadLetterOutage"),
            dir);
    this.children = b.children;
    this.publishFor = b.publishFor;
    this.timeout = b.timeout;
    this.label = b.label;
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Creates {@code parent/name} for a run. Runs keep their files (plan, ledgers, children's logs)
   * after the test, so a failed run can be examined; under {@code target/} the next clean removes
   * them.
   */
  public static Path directoryUnder(Path parent, String name) {
    try {
      return Files.createDirectories(parent.resolve(name));
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot create the run directory " + name + " in " + parent, e);
    }
  }

  /** Runs the whole scenario and returns its verdict; prints the {@code LEDGER} line. */
  public Result run() {
    deadline = begin + timeout.toNanos();
    plan.save(dir);
    ScheduledExecutorService publisher =
        Executors.newScheduledThreadPool(
            2,
            r -> {
              Thread t = new Thread(r, "ledger-publisher");
              t.setDaemon(true);
              return t;
            });
    try {
      for (int i = 0; i < children; i++) {
        spawn();
      }
      awaitReady(running);
      CompletableFuture<Void> published = publishAll(publisher);
      injectFaults();
      waitFor("every publish confirmed", published::isDone);
      waitFor("every sent message settled in a ledger", this::allSettledInLedgers);
      waitFor("every fatal message in the dead-letter queue", this::allFatalDeadLettered);
    } finally {
      publisher.shutdownNow();
      stopChildren();
    }
    return verdict();
  }

  private Result verdict() {
    List<Handling> ledger = LedgerFile.readAll(dir);
    List<DeadLetter> deadLetters = deadLetters().browse(plan.messages() * 2 + 10);
    LedgerVerdict v = LedgerVerdict.of(plan, Set.copyOf(sent), ledger, deadLetters);
    List<String> problems = new ArrayList<>(v.problems());
    problems.addAll(childProblems);
    if (Files.exists(dir.resolve(LedgerChild.STALL_BEGIN))) {
      faults.add(
          "stall of "
              + plan.stallId().orElse("-")
              + " for "
              + plan.stall()
              + " in child pid "
              + read(LedgerChild.STALL_BEGIN).strip()
              + (Files.exists(dir.resolve(LedgerChild.STALL_END)) ? ", ran to its end" : "")
              + "; its handlings: "
              + ledger.stream()
                  .filter(h -> h.id().equals(plan.stallId().orElse("")))
                  .map(h -> h.outcome() + " pid " + h.pid() + " attempt " + h.attempt())
                  .toList());
    } else if (plan.stallId().isPresent()) {
      problems.add("the planned stall of " + plan.stallId().get() + " never happened");
    }
    v =
        new LedgerVerdict(
            v.sent(),
            v.handled(),
            v.deadlettered(),
            v.lost(),
            v.duplicates(),
            v.handlings(),
            v.retries(),
            v.reordered(),
            problems);
    String detail =
        String.format(
            "LEDGER-DETAIL run=%s handlings=%d retries=%d (%.1f%%) reordered=%d"
                + " publishRetries=%d deadLetterFailures=%d children=%d elapsed=%ds",
            label,
            v.handlings(),
            v.retries(),
            v.handlings() == 0 ? 0.0 : 100.0 * v.retries() / v.handlings(),
            v.reordered(),
            publishFailures.get(),
            FailedDeadLetter.readAll(dir).size(),
            childCount.get(),
            TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - begin));
    System.out.println(detail);
    System.out.println(v.line());
    faults.forEach(f -> System.out.println("LEDGER-FAULT run=" + label + " " + f));
    problems.forEach(p -> System.out.println("LEDGER-PROBLEM run=" + label + " " + p));
    LedgerVerdict.evidence(ledger, deadLetters)
        .forEach(e -> System.out.println("LEDGER-EVIDENCE " + e));
    LOG.info("{}: {}; {}", label, v.line(), detail);
    return new Result(v, faults, detail, outageFailures);
  }

  // ---- publishing ----

  private CompletableFuture<Void> publishAll(ScheduledExecutorService scheduler) {
    Map<String, List<LedgerJob>> byKey = new LinkedHashMap<>();
    List<LedgerJob> jobs = plan.jobs();
    for (LedgerJob job : jobs) {
      byKey.computeIfAbsent(job.key(), k -> new ArrayList<>()).add(job);
    }
    long start = System.nanoTime();
    long spacing = publishFor.toNanos() / jobs.size();
    List<CompletableFuture<Void>> chains = new ArrayList<>();
    for (List<LedgerJob> keyJobs : byKey.values()) {
      CompletableFuture<Void> chain = new CompletableFuture<>();
      publishFrom(keyJobs, 0, start, spacing, false, scheduler, chain);
      chains.add(chain);
    }
    return CompletableFuture.allOf(chains.toArray(CompletableFuture[]::new));
  }

  /**
   * Publishes {@code jobs[index..]} one at a time, each at its paced due time; {@code again} when
   * {@code jobs[index]} failed before and is due now.
   */
  private void publishFrom(
      List<LedgerJob> jobs,
      int index,
      long start,
      long spacing,
      boolean again,
      ScheduledExecutorService scheduler,
      CompletableFuture<Void> done) {
    if (index == jobs.size()) {
      done.complete(null);
      return;
    }
    LedgerJob job = jobs.get(index);
    int position = job.seq() * plan.keys() + Integer.parseInt(job.key().substring(2));
    long due = again ? 0 : start + position * spacing - System.nanoTime();
    scheduler.schedule(
        () ->
            publishOne(job)
                .whenComplete(
                    (ok, error) -> {
                      if (error == null) {
                        sent.add(job.id());
                        publishFrom(jobs, index + 1, start, spacing, false, scheduler, done);
                      } else if (System.nanoTime() - deadline > 0) {
                        done.completeExceptionally(error);
                      } else {
                        // Same job again after a pause: the key's order on the broker is kept.
                        publishFailures.incrementAndGet();
                        scheduler.schedule(
                            () -> publishFrom(jobs, index, start, spacing, true, scheduler, done),
                            200,
                            TimeUnit.MILLISECONDS);
                      }
                    }),
        Math.max(0, due),
        TimeUnit.NANOSECONDS);
  }

  private CompletableFuture<Envelope> publishOne(LedgerJob job) {
    SendOptions options = SendOptions.builder().id(job.id()).key(job.key()).build();
    try {
      return plan.mode() == LedgerPlan.Mode.PUB_SUB
          ? messaging.publish(plan.destination(), job, options)
          : messaging.send(plan.destination(), job, options);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  // ---- faults ----

  private void injectFaults() {
    if (!killAt(KILLS_AT[0]) || !deadLetterOutage() || !killAt(KILLS_AT[1])) {
      return;
    }
    if (!waitFor("progress " + RESTART_AT, () -> progress() >= RESTART_AT)) {
      return;
    }
    long t0 = System.nanoTime();
    double at = progress();
    brokerRestart.run();
    faults.add(
        String.format(
            "broker restart at %.0f%% settled, t=%ds, took %d ms, back at %s",
            100 * at,
            elapsedSeconds(),
            TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0),
            Instant.now()));
  }

  /** Kills a child once {@code at} of the messages are settled; false if that never happened. */
  private boolean killAt(double at) {
    if (!waitFor("progress " + at, () -> progress() >= at)) {
      return false;
    }
    Optional<Child> victim = victim();
    if (victim.isEmpty()) {
      childProblems.add("no child to kill at progress " + at);
      return true;
    }
    Child c = victim.get();
    running.remove(c);
    c.process().destroyForcibly();
    waitFor("child " + c.number() + " gone", () -> !c.process().isAlive());
    faults.add(
        String.format(
            "SIGKILL child %d (pid %d) at %.0f%% settled, t=%ds (%s)",
            c.number(), c.process().pid(), 100 * progress(), elapsedSeconds(), Instant.now()));
    awaitReady(List.of(spawn()));
    return true;
  }

  /** Runs the dead-letter outage once its start is reached; false if the run gave up waiting. */
  private boolean deadLetterOutage() {
    if (!waitFor("progress " + DeadLetterOutage.FROM, () -> progress() >= DeadLetterOutage.FROM)) {
      return false;
    }
    DeadLetterOutage.Report report = outage.run(this::progress, this::waitFor, elapsedSeconds());
    outageFailures.addAll(report.refused());
    if (report.refused().isEmpty()) {
      childProblems.add("no dead-letter publish failed during the dead-letter outage");
    }
    faults.add(report.fault());
    return report.reached();
  }

  /** The oldest running child that is not stalling right now. */
  private Optional<Child> victim() {
    String stalling =
        Files.exists(dir.resolve(LedgerChild.STALL_BEGIN))
                && !Files.exists(dir.resolve(LedgerChild.STALL_END))
            ? read(LedgerChild.STALL_BEGIN).strip()
            : "";
    return running.stream()
        .filter(c -> !Long.toString(c.process().pid()).equals(stalling))
        .findFirst();
  }

  /** The share of sent messages with a final outcome (handled, or failed fatally) in a ledger. */
  private double progress() {
    Set<String> settled = new java.util.HashSet<>();
    for (Handling h : LedgerFile.readAll(dir)) {
      if (h.outcome() != Handling.Outcome.RETRY) {
        settled.add(h.id());
      }
    }
    return (double) settled.size() / plan.messages();
  }

  private boolean allSettledInLedgers() {
    Set<String> settled = new java.util.HashSet<>();
    for (Handling h : LedgerFile.readAll(dir)) {
      if (h.outcome() != Handling.Outcome.RETRY) {
        settled.add(h.id());
      }
    }
    return settled.containsAll(sent);
  }

  private boolean allFatalDeadLettered() {
    Set<String> dead = new java.util.HashSet<>();
    for (DeadLetter d : deadLetters().browse(plan.messages() * 2 + 10)) {
      dead.add(d.envelope().id());
    }
    return sent.stream().filter(LedgerPlan::isFatal).allMatch(dead::contains);
  }

  private DeadLetters deadLetters() {
    return plan.mode() == LedgerPlan.Mode.PUB_SUB
        ? messaging.deadLetters(plan.destination(), plan.group())
        : messaging.queueDeadLetters(plan.destination());
  }

  // ---- children ----

  private Child spawn() {
    int number = childCount.incrementAndGet();
    Path log = dir.resolve("child-" + number + ".log");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder pb =
        new ProcessBuilder(
                java,
                "-Xmx256m",
                "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1",
                "-cp",
                System.getProperty("java.class.path"),
                childMain.getName(),
                dir.toString())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    try {
      Child c = new Child(number, pb.start(), log);
      running.add(c);
      return c;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start ledger child " + number, e);
    }
  }

  private void awaitReady(List<Child> which) {
    for (Child c : which) {
      Path ready = dir.resolve(LedgerChild.READY_PREFIX + c.process().pid());
      if (!waitFor("child " + c.number() + " ready", () -> Files.exists(ready))) {
        childProblems.add("child " + c.number() + " never became ready; see " + c.log());
      }
    }
  }

  private void stopChildren() {
    try {
      Files.writeString(dir.resolve(LedgerChild.STOP), "stop\n", StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the stop file in " + dir, e);
    }
    Duration grace = Duration.ofSeconds(40);
    try {
      await("children exit").atMost(grace).pollInterval(POLL).until(this::noneAlive);
    } catch (ConditionTimeoutException e) {
      childProblems.add("children did not exit within " + grace + " of the stop file");
    }
    for (Child c : running) {
      if (c.process().isAlive()) {
        c.process().destroyForcibly();
      } else if (c.process().exitValue() != 0) {
        childProblems.add(
            "child " + c.number() + " exited with " + c.process().exitValue() + "; see " + c.log());
      }
    }
  }

  private boolean noneAlive() {
    return running.stream().noneMatch(c -> c.process().isAlive());
  }

  // ---- helpers ----

  /** Waits for {@code condition} until the run's deadline; false (and a problem) if it passed. */
  private boolean waitFor(String what, java.util.concurrent.Callable<Boolean> condition) {
    // Awaitility wants more time than one poll; past the deadline one last look decides.
    long left = Math.max(deadline - System.nanoTime(), 2 * POLL.toNanos());
    try {
      await(what).atMost(Duration.ofNanos(left)).pollInterval(POLL).until(condition);
      return true;
    } catch (ConditionTimeoutException e) {
      childProblems.add("gave up waiting for " + what + " at t=" + elapsedSeconds() + "s");
      return false;
    }
  }

  private long elapsedSeconds() {
    return TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - begin);
  }

  private String read(String name) {
    try {
      return Files.readString(dir.resolve(name), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "";
    }
  }

  /**
   * Configures a {@link LedgerRun}; plan, directory, child main, messaging, restart and dead-letter
   * outage needed.
   */
  public static final class Builder {
    private @Nullable LedgerPlan plan;
    private @Nullable Path dir;
    private @Nullable Class<?> childMain;
    private @Nullable Messaging messaging;
    private @Nullable Runnable brokerRestart;
    private @Nullable Runnable outageBegin;
    private @Nullable Runnable outageEnd;
    private int children = 2;
    private Duration publishFor = Duration.ofSeconds(20);
    private Duration timeout = Duration.ofMinutes(3);
    private String label = "ledger";
    private final Set<String> given = new java.util.HashSet<>();

    private Builder() {}

    public Builder plan(LedgerPlan plan) {
      once("plan");
      this.plan = Objects.requireNonNull(plan, "plan");
      return this;
    }

    /** An empty directory for the plan, the ledgers, the markers and the children's logs. */
    public Builder runDirectory(Path dir) {
      once("runDirectory");
      this.dir = Objects.requireNonNull(dir, "dir");
      return this;
    }

    /** The class whose {@code main} calls {@link LedgerChild#run}; on this JVM's class path. */
    public Builder childMain(Class<?> main) {
      once("childMain");
      this.childMain = Objects.requireNonNull(main, "main");
      return this;
    }

    /** The parent's messaging, for publishing and the dead-letter queue; the caller closes it. */
    public Builder messaging(Messaging messaging) {
      once("messaging");
      this.messaging = Objects.requireNonNull(messaging, "messaging");
      return this;
    }

    /** Restarts the broker, blocking until it serves again. */
    public Builder brokerRestart(Runnable restart) {
      once("brokerRestart");
      this.brokerRestart = Objects.requireNonNull(restart, "restart");
      return this;
    }

    /**
     * Makes the dead-letter destination of the run's group refuse publishes for a while, on the
     * broker itself: {@code begin} returns once the broker refuses them, {@code end} once it
     * accepts them again. The run calls {@code end} whatever happens after {@code begin}, and only
     * then reads the dead-letter queue, so {@code end} must leave the letters stored meanwhile in
     * place.
     */
    public Builder deadLetterOutage(Runnable begin, Runnable end) {
      once("deadLetterOutage");
      this.outageBegin = Objects.requireNonNull(begin, "begin");
      this.outageEnd = Objects.requireNonNull(end, "end");
      return this;
    }

    /** Consumer children at once; 2 by default. */
    public Builder children(int children) {
      once("children");
      if (children < 2) {
        throw new IllegalArgumentException(
            "children must be >= 2 (one is killed), was " + children);
      }
      this.children = children;
      return this;
    }

    /** The time over which publishes are spread; 20 s by default. */
    public Builder publishFor(Duration publishFor) {
      once("publishFor");
      this.publishFor = Objects.requireNonNull(publishFor, "publishFor");
      return this;
    }

    /** The longest the whole run may take before it stops waiting; 3 minutes by default. */
    public Builder timeout(Duration timeout) {
      once("timeout");
      this.timeout = Objects.requireNonNull(timeout, "timeout");
      return this;
    }

    /** A name for the output lines, such as {@code kafka/pub-sub}. */
    public Builder label(String label) {
      once("label");
      this.label = Objects.requireNonNull(label, "label");
      return this;
    }

    public LedgerRun build() {
      return new LedgerRun(this);
    }

    private void once(String setting) {
      if (!given.add(setting)) {
        throw new IllegalStateException(setting + " is already set on this LedgerRun builder");
      }
    }
  }
}
