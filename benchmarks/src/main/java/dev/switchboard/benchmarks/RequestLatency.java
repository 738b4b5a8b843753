package dev.switchboard.benchmarks;

import dev.switchboard.messaging.ConsumerOptions;
import dev.switchboard.messaging.Messaging;
import dev.switchboard.messaging.RequestTimeoutException;
import dev.switchboard.messaging.Subscription;
import dev.switchboard.messaging.spi.Destination;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.LongAccumulator;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.function.IntConsumer;
import java.util.function.Predicate;
import org.HdrHistogram.Recorder;
import org.jspecify.annotations.Nullable;

/**
 * Open-loop request-reply latency: the toolkit's {@code Messaging.request} against B1's raw
 * correlation-id requester, each issuing requests at 25 % and 50 % of B1's request-reply capacity
 * without waiting for replies, and recording {@code reply received − intended send time}.
 *
 * <p>Design. The capacity is B1's closed-loop request rate with the most requests in flight that
 * the request-reply scenarios use ({@link BrokerScenarios#IN_FLIGHT}): the median that scenario
 * measured earlier in the same run when it ran, otherwise one warm-up and one measured closed-loop
 * run of B1 here, with the same count and time limits. One responder per side, started once per
 * payload size, serves that run and both rates. Every run, of either side, first waits for one
 * round trip through each responder (at most {@link #PRIME_TIMEOUT} each); responders answer in
 * order, so this waits out what an earlier run left queued in either. Replies complete on the
 * clients' threads, so each run records into a {@link Recorder} and counts into adders of its own:
 * a reply that comes after its run has ended counts nowhere. Each request carries {@link
 * #REPLY_TIMEOUT}; one without a reply by then is counted as timed out and recorded with the time
 * it had waited, so the percentiles are lower bounds rather than leaving the slowest out.
 */
final class RequestLatency {
  /** The scenario family; scenario names are {@code <broker>-<family>-<percent>pct-<size>}. */
  static final String FAMILY = "request-reply-latency";

  /** How long a request may wait for its reply before it counts as timed out. */
  static final Duration REPLY_TIMEOUT = Duration.ofSeconds(5);

  /** How long the request that opens every run may take; a responder slower than this fails. */
  static final Duration PRIME_TIMEOUT = Duration.ofSeconds(30);

  private static final long HIGHEST_NANOS = Duration.ofSeconds(60).toNanos();

  private final BrokerEnv env;
  private final Profile profile;
  private final Comparison comparison;
  private final Predicate<String> selected;

  RequestLatency(
      BrokerEnv env, Profile profile, Comparison comparison, Predicate<String> selected) {
    this.env = env;
    this.profile = profile;
    this.comparison = comparison;
    this.selected = selected;
  }

  /** Sends one request with the given timeout; the future holds the decoded reply. */
  @FunctionalInterface
  interface Call {
    CompletableFuture<?> send(Duration timeout);
  }

  /**
   * Runs both rates at {@code size}, handing each rate's rows to {@code out} as soon as they are
   * measured, so that a failure at 50 % keeps the rows of 25 %. {@code knownCapacity} is B1's
   * request rate at the highest in-flight level if this run already measured it, or null to measure
   * it here.
   */
  void run(int size, @Nullable Double knownCapacity, Consumer<Row> out) throws Exception {
    List<String> names = new ArrayList<>();
    for (int pct : BrokerScenarios.LOAD_PERCENT) {
      names.add(BrokerScenarios.scenarioName(env, FAMILY + "-" + pct + "pct", size));
    }
    if (names.stream().noneMatch(selected)) {
      return;
    }
    Sample sample = Sample.of(size);
    Destination tk = env.fresh(Destination.Kind.QUEUE, "rrlat");
    Destination b1Queue = env.fresh(Destination.Kind.QUEUE, "rrlatjson");
    env.prepareToolkit(tk);
    env.prepareToolkit(b1Queue);
    Messaging m = env.messaging();
    ConsumerOptions options =
        ConsumerOptions.builder().concurrency(1).prefetch(env.prefetch()).build();
    try (Subscription responder = m.respond(tk.name(), Sample.class, (req, ctx) -> req, options);
        AutoCloseable json =
            env.raw().respond(b1Queue.name(), env.prefetch(), body -> Json.write(Json.read(body)));
        RawClient.Requester requester = env.raw().requester()) {
      Call toolkit = timeout -> m.request(tk.name(), sample, Sample.class, timeout);
      Call b1 =
          timeout ->
              requester.request(b1Queue.name(), Json.write(sample), timeout).thenApply(Json::read);
      double capacity;
      String source;
      if (knownCapacity != null && knownCapacity > 0) {
        capacity = knownCapacity;
        source = "taken from request-reply-inflight" + maxInFlight() + " in this run";
      } else {
        capacity = measureCapacity(requester, b1Queue, sample);
        source = "closed loop at " + maxInFlight() + " in flight, measured here";
      }
      comparison.note(
          String.format(
              Locale.ROOT,
              "  %s B1 request-reply capacity %,.0f req/s (%s)",
              env.name(),
              capacity,
              source));
      for (int p = 0; p < names.size(); p++) {
        String name = names.get(p);
        if (!selected.test(name)) {
          continue;
        }
        double rate = Loops.offeredRate(capacity, BrokerScenarios.LOAD_PERCENT[p]);
        Duration time = profile.latencyTime();
        Budget budget = new Budget(Loops.sends(rate, time), time.plus(REPLY_TIMEOUT));
        List<Endpoint> both = List.of(new Endpoint(tk, toolkit), new Endpoint(b1Queue, b1));
        comparison
            .run(
                name,
                side("switchboard", toolkit, rate, both),
                side("B1", b1, rate, both),
                null,
                budget,
                profile.rounds())
            .forEach(out);
      }
    }
  }

  private static int maxInFlight() {
    return BrokerScenarios.IN_FLIGHT[BrokerScenarios.IN_FLIGHT.length - 1];
  }

  /** B1 closed loop at the highest in-flight level: one warm-up run, then the measured one. */
  private double measureCapacity(RawClient.Requester requester, Destination queue, Sample sample) {
    Window window = new Window(maxInFlight());
    Budget budget = new Budget(profile.requests(), profile.requestTime());
    IntConsumer one =
        i ->
            requester.request(
                queue.name(),
                Json.write(sample),
                reply -> {
                  if (Json.read(reply).seq() >= 0) {
                    window.complete();
                  }
                });
    Loops.closed(window, budget, one);
    return Loops.closed(window, budget, one).get(Throughput.RATE);
  }

  /** A responder's queue and the call that sends a request to it. */
  private record Endpoint(Destination queue, Call call) {}

  /**
   * One side: each run first waits for a round trip through every endpoint, so that neither
   * responder still works off a backlog of an earlier run while this one is measured; then it sends
   * {@code budget.messages()} requests at {@code rate}, each at its intended time, until they are
   * sent or the budget's time is up (a request still unsent then is already a reply timeout past
   * its intended time, and counts as timed out); then it waits at most one reply timeout for the
   * replies.
   */
  private static Side side(String label, Call call, double rate, List<Endpoint> primeFirst) {
    long period = Loops.periodNanos(rate);
    return Side.of(
        label,
        budget -> {
          for (Endpoint e : primeFirst) {
            prime(e.queue(), e.call());
          }
          Outcomes outcomes = new Outcomes();
          long start = System.nanoTime() + 1_000_000;
          int sent =
              Loops.paced(
                  start,
                  period,
                  budget.messages(),
                  budget.deadlineNanos(start),
                  i -> {
                    long intended = Loops.intendedNanos(start, period, i);
                    try {
                      call.send(REPLY_TIMEOUT)
                          .whenComplete(
                              (reply, error) ->
                                  outcomes.settle(intended, System.nanoTime(), error));
                    } catch (RuntimeException e) {
                      outcomes.settle(intended, System.nanoTime(), e);
                    }
                  });
          long waitUntil = System.nanoTime() + REPLY_TIMEOUT.plusSeconds(1).toNanos();
          while (outcomes.settled() < sent && System.nanoTime() < waitUntil) {
            LockSupport.parkNanos(50_000);
          }
          return outcomes.metrics(budget.messages(), start, System.nanoTime());
        });
  }

  /** Waits for one round trip through {@code queue}, or fails the scenario with the reason. */
  private static void prime(Destination queue, Call call) throws Exception {
    try {
      call.send(PRIME_TIMEOUT).get(PRIME_TIMEOUT.plusSeconds(5).toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException | TimeoutException e) {
      Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
      throw new IllegalStateException(
          "no reply through " + queue + " within " + PRIME_TIMEOUT.toSeconds() + " s: " + cause,
          cause);
    }
  }

  /**
   * What became of the requests of one run. {@link #settle} is called once per sent request, from
   * any thread; {@link #metrics} once, after the run.
   */
  static final class Outcomes {
    private final Recorder latencies = new Recorder(HIGHEST_NANOS, 3);
    private final LongAdder replied = new LongAdder();
    private final LongAdder timedOut = new LongAdder();
    private final LongAdder failed = new LongAdder();
    private final LongAccumulator lastReply = new LongAccumulator(Math::max, Long.MIN_VALUE);

    /**
     * A request intended at {@code intendedNanos} got its reply at {@code nowNanos}, or failed. A
     * request that timed out is recorded with the time it had waited then, so that the percentiles
     * stay lower bounds of the truth instead of leaving the slowest requests out.
     */
    void settle(long intendedNanos, long nowNanos, @Nullable Throwable error) {
      long waited = Math.min(Math.max(nowNanos - intendedNanos, 0), HIGHEST_NANOS);
      if (error == null) {
        latencies.recordValue(waited);
        replied.increment();
        lastReply.accumulate(nowNanos);
      } else if (isTimeout(error)) {
        latencies.recordValue(waited);
        timedOut.increment();
      } else {
        failed.increment();
      }
    }

    long settled() {
      return replied.sum() + timedOut.sum() + failed.sum();
    }

    private static boolean isTimeout(Throwable error) {
      Throwable cause =
          error instanceof CompletionException && error.getCause() != null
              ? error.getCause()
              : error;
      return cause instanceof TimeoutException || cause instanceof RequestTimeoutException;
    }

    /**
     * The run's percentiles (from intended send time to reply, or to the timeout) and replies per
     * second from {@code startNanos} to the last reply ({@code endNanos} when there was none), so
     * that waiting out the timeouts of lost requests does not dilute the rate; {@code timed out} is
     * every one of the {@code scheduled} requests that neither got a reply nor failed otherwise:
     * its timeout fired, or it was still unanswered or unsent when the run ended. {@code failed}
     * (refused, or not sent because of an error) appears only when there were such requests.
     */
    Map<String, Double> metrics(int scheduled, long startNanos, long endNanos) {
      long ok = replied.sum();
      long errors = failed.sum();
      Map<String, Double> out = new LinkedHashMap<>();
      Loops.putPercentiles(out, "", latencies.getIntervalHistogram());
      long end = ok > 0 ? lastReply.get() : endNanos;
      out.put("received/s", ok * 1e9 / Math.max(1, end - startNanos));
      out.put("timed out", (double) Math.max(0, scheduled - ok - errors));
      if (errors > 0) {
        out.put("failed", (double) errors);
      }
      return out;
    }
  }
}
