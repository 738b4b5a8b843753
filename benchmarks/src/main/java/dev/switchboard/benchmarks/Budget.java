package dev.switchboard.benchmarks;

import java.time.Duration;

/**
 * The bounds of one run: it stops after {@code messages} or once {@code maxTime} has passed,
 * whichever comes first, so no run can go on by itself.
 */
record Budget(int messages, Duration maxTime) {
  Budget {
    if (messages < 1) {
      throw new IllegalArgumentException("messages must be >= 1, was " + messages);
    }
    if (maxTime.isNegative() || maxTime.isZero()) {
      throw new IllegalArgumentException("maxTime must be positive, was " + maxTime);
    }
  }

  long deadlineNanos(long startNanos) {
    return startNanos + maxTime.toNanos();
  }
}
