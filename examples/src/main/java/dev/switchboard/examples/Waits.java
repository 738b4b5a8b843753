package dev.switchboard.examples;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** Polls a condition that other threads make true. */
final class Waits {
  private Waits() {}

  /** Waits until {@code done} holds; returns false if {@code patience} passes first. */
  static boolean until(BooleanSupplier done, Duration patience) throws InterruptedException {
    long deadline = System.nanoTime() + patience.toNanos();
    while (!done.getAsBoolean()) {
      if (System.nanoTime() - deadline > 0) {
        return false;
      }
      TimeUnit.MILLISECONDS.sleep(5);
    }
    return true;
  }
}
