package dev.switchboard.examples;

import dev.switchboard.messaging.ConsumerOptions;
import dev.switchboard.messaging.ConsumerStats;
import dev.switchboard.messaging.DeadLetter;
import dev.switchboard.messaging.DeadLetters;
import dev.switchboard.messaging.Failure;
import dev.switchboard.messaging.FatalMessageException;
import dev.switchboard.messaging.Jitter;
import dev.switchboard.messaging.Messaging;
import dev.switchboard.messaging.Redrive;
import dev.switchboard.messaging.RetryPolicy;
import dev.switchboard.messaging.Subscription;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * A work queue. A producer enqueues a batch of invoice jobs; several workers, each its own process,
 * compete for them. Some jobs fail for a while (a busy mail relay) and are retried with backoff,
 * first inside the worker and then through the broker; a few fail for good (their template is not
 * deployed) and land in the queue's dead-letter queue. Once the template is deployed, the dead
 * letters are redriven and succeed. At the end every job must be accounted for.
 */
final class WorkQueueExample {
  static final String TEMPLATE = "invoice-v3";
  static final String MISSING_TEMPLATE = "invoice-v4";

  /**
   * How the batch runs.
   *
   * @param jobs jobs to enqueue
   * @param workers competing worker processes
   * @param transientFailureRate share of jobs that fail one to three times before succeeding
   * @param fatalRate share of jobs that fail for good until their template is deployed
   * @param work how long one job takes when it succeeds
   * @param retry how workers retry; keep its delays short so that the demo finishes in seconds
   * @param progressBar draw a progress bar in place (for a terminal) rather than periodic lines
   * @param seed picks which jobs fail, so that a run can be repeated
   */
  record Settings(
      int jobs,
      int workers,
      double transientFailureRate,
      double fatalRate,
      Duration work,
      RetryPolicy retry,
      boolean progressBar,
      long seed) {
    Settings {
      if (jobs < 1) {
        throw new IllegalArgumentException("jobs must be >= 1, was " + jobs);
      }
      if (workers < 1) {
        throw new IllegalArgumentException("workers must be >= 1, was " + workers);
      }
      requireRate(transientFailureRate, "transient failure rate");
      requireRate(fatalRate, "fatal rate");
      if (transientFailureRate + fatalRate > 1.0) {
        throw new IllegalArgumentException(
            "transient failure rate ("
                + transientFailureRate
                + ") and fatal rate ("
                + fatalRate
                + ") add up to more than 1");
      }
      if (work.isNegative()) {
        throw new IllegalArgumentException("work must not be negative, was " + work);
      }
      if (retry.maxAttempts() <= MAX_GLITCHES) {
        throw new IllegalArgumentException(
            "the retry policy must allow more than "
                + MAX_GLITCHES
                + " attempts, or transient jobs would be dead-lettered; it allows "
                + retry.maxAttempts());
      }
    }

    /** The command line's defaults: 2 000 jobs, 4 workers, 10 % transient, 1 % fatal. */
    static Settings defaults() {
      return new Settings(2000, 4, 0.10, 0.01, Duration.ofMillis(1), fastRetry(), false, 7);
    }

    Settings withJobs(int n) {
      return new Settings(
          n, workers, transientFailureRate, fatalRate, work, retry, progressBar, seed);
    }

    private static void requireRate(double rate, String what) {
      if (!(rate >= 0.0 && rate <= 1.0)) {
        throw new IllegalArgumentException(what + " must be between 0 and 1, was " + rate);
      }
    }
  }

  /** At most this many transient failures per job; the retry policy must allow one more try. */
  static final int MAX_GLITCHES = 3;

  /**
   * What happened.
   *
   * @param jobs jobs enqueued
   * @param handledFirstPass distinct jobs handled before the redrive
   * @param retried retries the workers made (in-process retries and broker redeliveries)
   * @param injectedGlitches transient failures the batch was planned with
   * @param deadLettered jobs that reached the dead-letter queue
   * @param plannedFatal jobs planned to fail for good
   * @param redriven dead letters moved back to the queue
   * @param handledTotal distinct jobs handled by the end, redriven ones included
   * @param deadLettersLeft dead letters still waiting at the end
   * @param duplicates successful handlings of a job already handled
   * @param perWorker distinct jobs each worker handled
   * @param firstPass time from the first enqueue until every job was handled or dead-lettered
   * @param complete whether every job settled before the example gave up waiting
   */
  record Result(
      int jobs,
      int handledFirstPass,
      long retried,
      long injectedGlitches,
      long deadLettered,
      int plannedFatal,
      int redriven,
      int handledTotal,
      long deadLettersLeft,
      int duplicates,
      List<Integer> perWorker,
      Duration firstPass,
      boolean complete) {
    Result {
      perWorker = List.copyOf(perWorker);
    }

    /** Jobs neither handled nor dead-lettered after the first pass. */
    long lost() {
      return jobs - handledFirstPass - deadLettered;
    }

    double throughput() {
      double seconds = Math.max(firstPass.toNanos(), 1) / 1e9;
      return handledFirstPass / seconds;
    }

    boolean ok() {
      return complete
          && lost() == 0
          && deadLettered == plannedFatal
          && redriven == deadLettered
          && handledTotal == jobs
          && deadLettersLeft == 0;
    }
  }

  /**
   * A retry policy with millisecond delays: the same tiers as the default, a thousand times faster.
   */
  static RetryPolicy fastRetry() {
    return RetryPolicy.builder()
        .maxAttempts(MAX_GLITCHES + 2)
        .inProcessAttempts(3)
        .initialDelay(Duration.ofMillis(5))
        .multiplier(2.0)
        .maxDelay(Duration.ofMillis(40))
        .jitter(Jitter.EQUAL)
        .maxRetryTime(Duration.ofSeconds(30))
        .build();
  }

  private final Backend backend;
  private final RunNames names;
  private final PrintWriter out;
  private final Settings settings;

  WorkQueueExample(Backend backend, RunNames names, PrintWriter out, Settings settings) {
    this.backend = backend;
    this.names = names;
    this.out = out;
    this.settings = settings;
  }

  Result run() throws InterruptedException {
    String queue = names.of("invoice-jobs");
    List<Job> batch = plan();
    int plannedFatal = (int) batch.stream().filter(j -> !j.template().equals(TEMPLATE)).count();
    long injected = batch.stream().mapToLong(Job::simulatedGlitches).sum();
    Set<String> deployed = ConcurrentHashMap.newKeySet();
    deployed.add(TEMPLATE);
    Ledger ledger = new Ledger(settings.workers());

    try (Fleet fleet = new Fleet(backend, b -> b.register("InvoiceJob", Job.class))) {
      Messaging producer = fleet.start("producer");
      List<Subscription> workers = new ArrayList<>();
      ConsumerOptions options = ConsumerOptions.builder().retry(settings.retry()).build();
      for (int w = 0; w < settings.workers(); w++) {
        int worker = w;
        workers.add(
            fleet
                .start("worker-" + (w + 1))
                .consume(
                    queue,
                    Job.class,
                    (job, ctx) -> {
                      if (job.simulatedGlitches() >= ctx.attempt()) {
                        throw new MailRelayBusyException(
                            "mail relay busy (simulated) on attempt " + ctx.attempt());
                      }
                      if (!deployed.contains(job.template())) {
                        throw new FatalMessageException(
                            "template '" + job.template() + "' is not deployed");
                      }
                      if (!settings.work().isZero()) {
                        TimeUnit.NANOSECONDS.sleep(settings.work().toNanos());
                      }
                      ledger.handled(job, worker);
                    },
                    options));
      }
      out.printf(
          "%d workers on %s; retry: %d attempts, the first %d in the worker, %d-%d ms backoff%n",
          settings.workers(),
          queue,
          settings.retry().maxAttempts(),
          settings.retry().inProcessAttempts(),
          settings.retry().initialDelay().toMillis(),
          settings.retry().maxDelay().toMillis());

      long start = System.nanoTime();
      List<CompletableFuture<?>> sent = new ArrayList<>(batch.size());
      for (Job job : batch) {
        sent.add(producer.send(queue, job));
      }
      CompletableFuture.allOf(sent.toArray(new CompletableFuture<?>[0])).join();
      out.printf(
          Locale.ROOT,
          "producer enqueued %d jobs in %.2f s (%d will glitch, %d use the undeployed template"
              + " %s)%n",
          batch.size(),
          (System.nanoTime() - start) / 1e9,
          batch.stream().filter(j -> j.simulatedGlitches() > 0).count(),
          plannedFatal,
          MISSING_TEMPLATE);

      boolean complete;
      try (Progress progress =
          new Progress(
                  out,
                  settings.progressBar(),
                  batch.size(),
                  () -> ledger.distinct() + (int) fleet.tally().deadLettered(queue),
                  () ->
                      String.format(
                          Locale.ROOT,
                          "retried %d, dead-lettered %d",
                          retried(workers),
                          fleet.tally().deadLettered(queue)))
              .start()) {
        complete =
            awaitSettled(() -> ledger.distinct() + fleet.tally().deadLettered(queue), batch.size());
      }
      Duration firstPass = Duration.ofNanos(System.nanoTime() - start);
      int handledFirstPass = ledger.distinct();
      long deadLettered = fleet.tally().deadLettered(queue);
      long retried = retried(workers);

      DeadLetters dlq = producer.queueDeadLetters(queue);
      List<DeadLetter> letters = dlq.browse(Math.max(1, (int) deadLettered));
      out.printf("dead-letter queue of %s holds %d job(s):%n", queue, letters.size());
      for (DeadLetter letter : letters.subList(0, Math.min(3, letters.size()))) {
        Job job = producer.decode(letter, Job.class);
        Failure failure = letter.failure().orElse(null);
        out.printf(
            "  job %4d %s  %s%n",
            job.number(),
            job.invoiceId(),
            failure == null
                ? "(no failure envelope)"
                : simpleName(failure.exceptionClass())
                    + ": "
                    + failure.exceptionMessage()
                    + " ("
                    + failure.attempts()
                    + " attempt"
                    + (failure.attempts() == 1 ? "" : "s")
                    + ")");
      }
      if (letters.size() > 3) {
        out.printf("  ... and %d more%n", letters.size() - 3);
      }

      deployed.add(MISSING_TEMPLATE);
      Redrive.Result redrive = dlq.redrive(Redrive.builder().limit(batch.size()).build());
      out.printf(
          "template %s deployed; redrive moved %d dead letter(s) back to %s%n",
          MISSING_TEMPLATE, redrive.moved(), queue);
      awaitSettled(ledger::distinct, batch.size());
      long left = deadLettersLeft(dlq);

      Result result =
          new Result(
              batch.size(),
              handledFirstPass,
              retried,
              injected,
              deadLettered,
              plannedFatal,
              redrive.moved(),
              ledger.distinct(),
              left,
              ledger.duplicates(),
              ledger.perWorker(),
              firstPass,
              complete);
      printSummary(result);
      return result;
    }
  }

  private void printSummary(Result r) {
    out.println("work queue summary:");
    out.printf(
        Locale.ROOT,
        "  handled        %6d  (%d first time, %d after the redrive; per worker %s)%n",
        r.handledTotal(),
        r.handledFirstPass(),
        r.handledTotal() - r.handledFirstPass(),
        r.perWorker().stream().map(String::valueOf).reduce((a, b) -> a + "/" + b).orElse(""));
    out.printf(
        Locale.ROOT,
        "  retried        %6d  (%d transient failures injected)%n",
        r.retried(),
        r.injectedGlitches());
    out.printf(
        Locale.ROOT,
        "  dead-lettered  %6d  (%d planned to fail for good)%n",
        r.deadLettered(),
        r.plannedFatal());
    out.printf(
        Locale.ROOT,
        "  redriven       %6d  (dead letters left: %d)%n",
        r.redriven(),
        r.deadLettersLeft());
    out.printf(Locale.ROOT, "  duplicates     %6d%n", r.duplicates());
    out.printf(
        Locale.ROOT,
        "  throughput     %6.0f  jobs/s (%d jobs in %.2f s, lost: %d)%n",
        r.throughput(),
        r.jobs(),
        r.firstPass().toNanos() / 1e9,
        r.lost());
  }

  /** The batch, with the failures decided up front from the seed. */
  private List<Job> plan() {
    Random random = new Random(settings.seed());
    List<Job> jobs = new ArrayList<>(settings.jobs());
    for (int n = 1; n <= settings.jobs(); n++) {
      double roll = random.nextDouble();
      String invoice = String.format(Locale.ROOT, "INV-%06d", 40_000 + n);
      if (roll < settings.fatalRate()) {
        jobs.add(new Job(n, invoice, MISSING_TEMPLATE, 0));
      } else if (roll < settings.fatalRate() + settings.transientFailureRate()) {
        jobs.add(new Job(n, invoice, TEMPLATE, 1 + random.nextInt(MAX_GLITCHES)));
      } else {
        jobs.add(new Job(n, invoice, TEMPLATE, 0));
      }
    }
    return jobs;
  }

  /**
   * Waits until {@code settled} reaches {@code target}; gives up when it has not moved for the
   * backend's patience.
   */
  private boolean awaitSettled(LongSupplier settled, long target) throws InterruptedException {
    long last = -1;
    long lastMove = System.nanoTime();
    while (true) {
      long now = settled.getAsLong();
      if (now >= target) {
        return true;
      }
      if (now != last) {
        last = now;
        lastMove = System.nanoTime();
      } else if (System.nanoTime() - lastMove > backend.patience().toNanos()) {
        return false;
      }
      TimeUnit.MILLISECONDS.sleep(5);
    }
  }

  private static long retried(List<Subscription> workers) {
    return workers.stream().map(Subscription::stats).mapToLong(ConsumerStats::retried).sum();
  }

  private static long deadLettersLeft(DeadLetters dlq) {
    long count = dlq.count();
    // A transport that cannot count cheaply says -1; a browse of one tells empty from not.
    return count >= 0 ? count : dlq.browse(1).size();
  }

  private static String simpleName(String className) {
    return className.substring(className.lastIndexOf('.') + 1);
  }

  /** A failure that goes away by itself; plain exceptions are retryable under every policy. */
  static final class MailRelayBusyException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    MailRelayBusyException(String message) {
      super(message);
    }
  }

  /** Which jobs were handled, by whom, and how often. */
  private static final class Ledger {
    private final Map<Integer, AtomicInteger> successes = new ConcurrentHashMap<>();
    private final AtomicInteger[] perWorker;
    private final AtomicInteger duplicates = new AtomicInteger();

    Ledger(int workers) {
      perWorker = new AtomicInteger[workers];
      for (int i = 0; i < workers; i++) {
        perWorker[i] = new AtomicInteger();
      }
    }

    void handled(Job job, int worker) {
      if (successes.computeIfAbsent(job.number(), n -> new AtomicInteger()).incrementAndGet() > 1) {
        duplicates.incrementAndGet();
      } else {
        perWorker[worker].incrementAndGet();
      }
    }

    int distinct() {
      return successes.size();
    }

    int duplicates() {
      return duplicates.get();
    }

    List<Integer> perWorker() {
      List<Integer> out = new ArrayList<>();
      for (AtomicInteger n : perWorker) {
        out.add(n.get());
      }
      return out;
    }
  }
}
