package dev.switchboard.benchmarks;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntConsumer;
import java.util.function.LongConsumer;
import org.HdrHistogram.Histogram;

/** The two sending disciplines: closed loop through a window, and open loop at a fixed rate. */
final class Loops {
  /** How long a run waits for what it sent once its own deadline has passed. */
  static final Duration GRACE = Duration.ofSeconds(15);

  private Loops() {}

  /**
   * Sends up to {@code budget.messages()} through {@code send}, never more than the window ahead of
   * completions, until the count or the deadline is reached; then waits for what was sent. Messages
   * per second are counted from the first send to the last completion.
   */
  static Map<String, Double> closed(Window window, Budget budget, IntConsumer send) {
    int n = budget.messages();
    window.reset(n);
    long start = System.nanoTime();
    long deadline = budget.deadlineNanos(start);
    int sent = 0;
    while (sent < n && System.nanoTime() < deadline && window.awaitRoom(sent, deadline)) {
      send.accept(sent++);
    }
    if (sent < n) {
      window.finishAt(sent);
    }
    window.awaitAll(deadline + GRACE.toNanos());
    return Throughput.of(window, start, System.nanoTime());
  }

  /**
   * Sends {@code budget.messages()} at {@code rate} per second, each at its intended time (start +
   * i / rate) or at once when the sender is late, never skipping one. The receiver records each
   * latency from the intended time ({@link #intendedNanos}), so a stall of the sender or the broker
   * counts against every message it delayed: coordinated omission is corrected by construction.
   * {@code send} gets the sequence number to put in the message ({@link OpenRun#seq}). The run
   * waits for its messages until its deadline, not longer; what arrives later carries this run's id
   * and is ignored by the next.
   */
  static Map<String, Double> open(OpenRun run, Budget budget, LongConsumer send) {
    int n = budget.messages();
    run.window.reset(n);
    run.histogram.reset();
    long start = System.nanoTime() + 1_000_000;
    run.startNanos = start;
    long deadline = budget.deadlineNanos(start);
    int sent = paced(start, run.periodNanos, n, deadline, i -> send.accept(run.seq(i)));
    if (sent < n) {
      run.window.finishAt(sent);
    }
    run.window.awaitAll(deadline);
    Map<String, Double> out = new LinkedHashMap<>();
    putPercentiles(out, "", run.histogram);
    out.put("received/s", run.window.completed() * 1e9 / Math.max(1, System.nanoTime() - start));
    return out;
  }

  /**
   * Calls {@code send} with 0, 1, ... {@code n - 1}, each at its intended time ({@link
   * #intendedNanos}), never before it, and at once when it is already past: a late send is never
   * skipped, and the ones after it keep their own times. Stops early once {@code deadlineNanos} has
   * passed; returns how many were sent.
   */
  static int paced(long startNanos, long periodNanos, int n, long deadlineNanos, IntConsumer send) {
    int sent = 0;
    while (sent < n) {
      long due = intendedNanos(startNanos, periodNanos, sent);
      long now = System.nanoTime();
      if (now > deadlineNanos) {
        break;
      }
      // Park while the next send is far off; spin the last stretch, which parking overshoots.
      if (due - now > 200_000) {
        LockSupport.parkNanos(due - now - 100_000);
        continue;
      }
      while (System.nanoTime() < due) {
        Thread.onSpinWait();
      }
      send.accept(sent++);
    }
    return sent;
  }

  /**
   * Puts the p50, p99 and p99.9 of {@code h}, in microseconds, under {@code prefix + "p50 us"} and
   * so on; NaN when nothing was recorded.
   */
  static void putPercentiles(Map<String, Double> out, String prefix, Histogram h) {
    boolean any = h.getTotalCount() > 0;
    out.put(prefix + "p50 us", any ? h.getValueAtPercentile(50) / 1e3 : Double.NaN);
    out.put(prefix + "p99 us", any ? h.getValueAtPercentile(99) / 1e3 : Double.NaN);
    out.put(prefix + "p99.9 us", any ? h.getValueAtPercentile(99.9) / 1e3 : Double.NaN);
  }

  /**
   * When send {@code index} of a run paced every {@code periodNanos} from {@code startNanos} is
   * due.
   */
  static long intendedNanos(long startNanos, long periodNanos, long index) {
    return startNanos + index * periodNanos;
  }

  /** The pause between two sends at {@code rate} per second, in nanoseconds; at least 1. */
  static long periodNanos(double rate) {
    if (!(rate > 0) || Double.isInfinite(rate)) {
      throw new IllegalArgumentException("rate must be a positive number per second, was " + rate);
    }
    return Math.max(1, (long) (1e9 / rate));
  }

  /**
   * The rate an open-loop run offers: {@code percent} % of a closed-loop {@code capacity}, both per
   * second. A capacity that is not a positive number (the measurement failed) is rejected rather
   * than turned into a run that sends nothing or everything at once.
   */
  static double offeredRate(double capacity, int percent) {
    if (!(capacity > 0) || Double.isInfinite(capacity)) {
      throw new IllegalArgumentException(
          "capacity must be a positive number per second, was " + capacity);
    }
    if (percent < 1 || percent > 100) {
      throw new IllegalArgumentException("percent must be in 1..100, was " + percent);
    }
    return capacity * percent / 100.0;
  }

  /** How many sends a run of {@code time} at {@code rate} per second makes; at least 1. */
  static int sends(double rate, Duration time) {
    return (int) Math.max(1, Math.min(Integer.MAX_VALUE, rate * time.toNanos() / 1e9));
  }

  /** The shared state of one open-loop side: schedule, histogram and completion count. */
  static final class OpenRun {
    /** Sequence numbers are {@code run * SPAN + index}, so each message names its run. */
    private static final long SPAN = 10_000_000;

    /** The sequence number of the messages that check a new pipe is flowing. */
    static final long PRIMER = 99 * SPAN;

    private static final AtomicInteger RUNS = new AtomicInteger();
    final Window window = new Window(Integer.MAX_VALUE);
    private final long id = RUNS.incrementAndGet() % 90;
    final Histogram histogram = new Histogram(Duration.ofSeconds(60).toNanos(), 3);
    final long periodNanos;
    volatile long startNanos;

    OpenRun(double rate) {
      this.periodNanos = periodNanos(rate);
    }

    long intendedNanos(long seq) {
      return Loops.intendedNanos(startNanos, periodNanos, seq);
    }

    static boolean isPrimer(long seq) {
      return seq / SPAN == PRIMER / SPAN;
    }

    /** The sequence number of message {@code index} of this run. */
    long seq(long index) {
      return id * SPAN + index;
    }

    /** Called once per received message, on the one consuming thread. */
    void received(long seq) {
      if (seq / SPAN != id) {
        return;
      }
      long latency = System.nanoTime() - intendedNanos(seq % SPAN);
      histogram.recordValue(Math.min(Math.max(latency, 0), histogram.getHighestTrackableValue()));
      window.complete();
    }
  }
}
