package dev.switchboard.testkit.conformance;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

/**
 * Counts how often each numbered message was handled, so that a case can tell lost messages from
 * duplicates. Negative numbers are probes and are counted apart. Thread-safe.
 */
final class Tally {
  private final Map<Integer, AtomicInteger> counts = new ConcurrentHashMap<>();
  private final AtomicInteger probes = new AtomicInteger();

  void record(int n) {
    if (n < 0) {
      probes.incrementAndGet();
    } else {
      counts.computeIfAbsent(n, k -> new AtomicInteger()).incrementAndGet();
    }
  }

  boolean sawProbe() {
    return probes.get() > 0;
  }

  /** Distinct numbers handled. */
  Set<Integer> numbers() {
    return Set.copyOf(counts.keySet());
  }

  int distinct() {
    return counts.size();
  }

  /** Handler calls for numbered messages, repeats included. */
  int calls() {
    return counts.values().stream().mapToInt(AtomicInteger::get).sum();
  }

  /** Numbers handled more than once, with how often. */
  Map<Integer, Integer> duplicates() {
    return counts.entrySet().stream()
        .filter(e -> e.getValue().get() > 1)
        .collect(
            Collectors.toMap(
                Map.Entry::getKey, e -> e.getValue().get(), (a, b) -> a, TreeMap::new));
  }
}
