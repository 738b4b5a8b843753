package dev.switchboard.benchmarks;

import java.util.LinkedHashMap;
import java.util.Map;

/** Turns a finished {@link Window} into the metrics of a throughput run. */
final class Throughput {
  static final String RATE = "msg/s";

  private Throughput() {}

  /**
   * Messages per second from {@code startNanos} (or, when zero, from the first completion) to the
   * last completion. A run cut short by its deadline reports the rate of what completed by then.
   */
  static Map<String, Double> of(Window window, long startNanos, long endNanos) {
    long done = window.completed() - window.failed();
    long first = startNanos != 0 ? startNanos : window.firstNanos();
    long last = window.lastNanos() != 0 ? window.lastNanos() : endNanos;
    // From the first completion on, the first message itself is not part of the interval.
    long counted = startNanos != 0 ? done : done - 1;
    Map<String, Double> out = new LinkedHashMap<>();
    out.put(RATE, last > first && counted > 0 ? counted * 1e9 / (last - first) : 0.0);
    if (window.failed() > 0) {
      out.put("failed", (double) window.failed());
    }
    return out;
  }
}
