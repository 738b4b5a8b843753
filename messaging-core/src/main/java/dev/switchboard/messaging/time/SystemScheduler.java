package dev.switchboard.messaging.time;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/** A {@link Scheduler} on the system clock, backed by a single daemon thread. */
final class SystemScheduler implements Scheduler {
  private static final SystemScheduler SHARED = new SystemScheduler();
  private final ScheduledThreadPoolExecutor executor;

  private SystemScheduler() {
    executor =
        new ScheduledThreadPoolExecutor(
            1,
            r -> {
              Thread t = new Thread(r, "switchboard-scheduler");
              t.setDaemon(true);
              return t;
            });
    // Cancelled timeouts are the common case (the reply arrived); do not let them pile up.
    executor.setRemoveOnCancelPolicy(true);
  }

  static SystemScheduler shared() {
    return SHARED;
  }

  @Override
  public Cancellable schedule(Duration delay, Runnable task) {
    long nanos = Math.max(0, saturatedNanos(delay));
    ScheduledFuture<?> f = executor.schedule(task, nanos, TimeUnit.NANOSECONDS);
    return () -> f.cancel(false);
  }

  @Override
  public Clock clock() {
    return Clock.systemUTC();
  }

  private static long saturatedNanos(Duration d) {
    try {
      return d.toNanos();
    } catch (ArithmeticException e) {
      return d.isNegative() ? 0 : Long.MAX_VALUE / 2;
    }
  }
}
