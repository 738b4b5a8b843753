package dev.switchboard.examples;

import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Destination names with a suffix unique to one run, so that a second run on a real broker never
 * sees what an earlier run left behind.
 */
record RunNames(String suffix) {
  RunNames {
    if (!suffix.matches("[a-z0-9]{1,16}")) {
      throw new IllegalArgumentException("suffix must be 1-16 lower-case letters or digits");
    }
  }

  /** A fresh random suffix of six characters. */
  static RunNames random() {
    long n =
        ThreadLocalRandom.current().nextLong(36L * 36 * 36 * 36 * 36, 36L * 36 * 36 * 36 * 36 * 36);
    return new RunNames(Long.toString(n, 36).toLowerCase(Locale.ROOT));
  }

  /** {@code base} with this run's suffix, such as {@code orders-k3x9q2}. */
  String of(String base) {
    return base + "-" + suffix;
  }
}
