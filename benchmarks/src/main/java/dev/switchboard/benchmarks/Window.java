package dev.switchboard.benchmarks;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Flow control and completion counting shared by every side of a throughput run: the sender may be
 * at most {@code size} messages ahead of what has completed (been consumed, confirmed or answered),
 * and the run ends when {@code target} messages have completed or the deadline passes. Every side
 * uses the same window, so its cost and its back-pressure are the same for all.
 */
final class Window {
  private final int size;
  private final AtomicLong completed = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private volatile long target = Long.MAX_VALUE;
  private volatile long firstNanos;
  private volatile long lastNanos;

  Window(int size) {
    if (size < 1) {
      throw new IllegalArgumentException("window must be >= 1, was " + size);
    }
    this.size = size;
  }

  /** Starts a run of {@code messages}; no completion of an earlier run may still be coming. */
  void reset(long messages) {
    completed.set(0);
    failed.set(0);
    firstNanos = 0;
    lastNanos = 0;
    target = messages;
  }

  /**
   * Ends a run that sent fewer than it was started with (its deadline passed): it is complete once
   * {@code sent} messages are.
   */
  void finishAt(long sent) {
    target = sent;
    if (completed.get() >= sent && lastNanos == 0) {
      lastNanos = System.nanoTime();
    }
  }

  /** One message completed; called on the consumer's or the client's callback thread. */
  void complete() {
    long n = completed.incrementAndGet();
    if (n == 1) {
      firstNanos = System.nanoTime();
    }
    if (n == target) {
      lastNanos = System.nanoTime();
    }
  }

  /** One message failed; it counts as completed for flow control but not in the rate. */
  void fail() {
    failed.incrementAndGet();
    complete();
  }

  /**
   * Waits until fewer than {@code size} of the {@code sent} messages are outstanding. Returns false
   * if the deadline passed first.
   */
  boolean awaitRoom(long sent, long deadlineNanos) {
    int spins = 0;
    while (sent - completed.get() >= size) {
      if (++spins > 100) {
        if (System.nanoTime() > deadlineNanos) {
          return false;
        }
        LockSupport.parkNanos(20_000);
      } else {
        Thread.onSpinWait();
      }
    }
    return true;
  }

  /** Waits until {@code target} messages completed; false if the deadline passed first. */
  boolean awaitAll(long deadlineNanos) {
    while (completed.get() < target) {
      if (System.nanoTime() > deadlineNanos) {
        return false;
      }
      LockSupport.parkNanos(50_000);
    }
    return true;
  }

  long completed() {
    return completed.get();
  }

  long failed() {
    return failed.get();
  }

  /** When the first message completed, in {@link System#nanoTime()} terms; 0 if none did. */
  long firstNanos() {
    return firstNanos;
  }

  /** When the last of {@code target} completed; 0 if the run did not finish. */
  long lastNanos() {
    return lastNanos;
  }
}
