package dev.switchboard.messaging.time;

import java.time.Clock;
import java.time.Duration;

/**
 * Runs tasks after a delay. Every delay and timeout in the toolkit goes through one, so tests can
 * swap in {@link VirtualTime} and run a minute of backoff in a microsecond.
 *
 * <p>Tasks must be short: they run on the scheduler's own thread(s) and hand real work to an
 * executor. Implementations are thread-safe.
 */
public interface Scheduler {
  /** Runs {@code task} once, {@code delay} from now (at once for zero or negative delays). */
  Cancellable schedule(Duration delay, Runnable task);

  /** The clock whose "now" this scheduler's delays are measured from. */
  Clock clock();

  /** A scheduler on the system clock with one daemon thread. */
  static Scheduler system() {
    return SystemScheduler.shared();
  }

  /** A pending task; cancelling after it ran does nothing. */
  @FunctionalInterface
  interface Cancellable {
    /** Returns true if this call prevented the task from running. */
    boolean cancel();
  }
}
