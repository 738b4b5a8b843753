package dev.switchboard.messaging.time;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.PriorityQueue;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A clock and scheduler that only move when told to. {@link #advance(Duration)} moves time forward
 * and runs every task that falls due, in due order, on the calling thread, so a test of backoff or
 * timeouts is instant and deterministic.
 *
 * <p>Thread-safe: tasks may be scheduled from any thread; they run only inside {@code advance} or
 * {@link #runDue()}.
 */
public final class VirtualTime implements Scheduler {
  private final Object lock = new Object();
  private final PriorityQueue<Task> tasks = new PriorityQueue<>();
  private Instant now;
  private long sequence;

  private VirtualTime(Instant start) {
    this.now = start;
  }

  /** Virtual time starting at {@code start}. */
  public static VirtualTime startingAt(Instant start) {
    return new VirtualTime(start);
  }

  /** Virtual time starting at 2026-01-01T00:00:00Z. */
  public static VirtualTime create() {
    return startingAt(Instant.parse("2026-01-01T00:00:00Z"));
  }

  public Instant now() {
    synchronized (lock) {
      return now;
    }
  }

  @Override
  public Cancellable schedule(Duration delay, Runnable task) {
    synchronized (lock) {
      Instant due = delay.isNegative() ? now : now.plus(delay);
      Task t = new Task(due, sequence++, task);
      tasks.add(t);
      return () -> t.cancelled.compareAndSet(false, true);
    }
  }

  /** Moves time forward by {@code amount}, running each task as its due time is reached. */
  public void advance(Duration amount) {
    if (amount.isNegative()) {
      throw new IllegalArgumentException("time cannot go back: " + amount);
    }
    Instant target;
    synchronized (lock) {
      target = now.plus(amount);
    }
    while (true) {
      Task next;
      synchronized (lock) {
        next = tasks.peek();
        if (next == null || next.due.isAfter(target)) {
          now = target;
          return;
        }
        tasks.poll();
        if (next.due.isAfter(now)) {
          now = next.due;
        }
      }
      if (next.cancelled.compareAndSet(false, true)) {
        next.action.run();
      }
    }
  }

  /** Runs the tasks that are due now without moving time. */
  public void runDue() {
    advance(Duration.ZERO);
  }

  /** How many tasks are waiting, including cancelled ones not yet discarded. */
  public int pendingTasks() {
    synchronized (lock) {
      return (int) tasks.stream().filter(t -> !t.cancelled.get()).count();
    }
  }

  @Override
  public Clock clock() {
    return new VirtualClock(this, ZoneOffset.UTC);
  }

  private static final class Task implements Comparable<Task> {
    final Instant due;
    final long seq;
    final Runnable action;
    final AtomicBoolean cancelled = new AtomicBoolean();

    Task(Instant due, long seq, Runnable action) {
      this.due = due;
      this.seq = seq;
      this.action = action;
    }

    @Override
    public int compareTo(Task o) {
      int c = due.compareTo(o.due);
      return c != 0 ? c : Long.compare(seq, o.seq);
    }
  }

  private static final class VirtualClock extends Clock {
    private final VirtualTime time;
    private final ZoneId zone;

    VirtualClock(VirtualTime time, ZoneId zone) {
      this.time = time;
      this.zone = zone;
    }

    @Override
    public ZoneId getZone() {
      return zone;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return new VirtualClock(time, zone);
    }

    @Override
    public Instant instant() {
      return time.now();
    }
  }
}
