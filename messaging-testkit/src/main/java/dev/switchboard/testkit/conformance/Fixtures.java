package dev.switchboard.testkit.conformance;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/** Small helpers the suites share. */
final class Fixtures {
  /** The numbers {@code 0 .. count-1}. */
  static Set<Integer> numbers(int count) {
    return IntStream.range(0, count).boxed().collect(Collectors.toUnmodifiableSet());
  }

  /**
   * {@code count} ASCII headers named {@code h-0000}, {@code h-0001}, ... whose names and values
   * take exactly {@code bytes} bytes together, for cases at a header limit.
   */
  static Map<String, String> headers(int count, int bytes) {
    int valueBytes = bytes - 6 * count;
    if (count > 10_000 || valueBytes < 0) {
      throw new IllegalArgumentException(
          count + " headers cannot take exactly " + bytes + " bytes");
    }
    Map<String, String> headers = new LinkedHashMap<>();
    for (int i = 0; i < count; i++) {
      int length = valueBytes / count + (i < valueBytes % count ? 1 : 0);
      headers.put(String.format("h-%04d", i), "v".repeat(length));
    }
    return headers;
  }

  /** Stands in for the time a real handler spends on a message. */
  static void simulateWork(Duration d) throws InterruptedException {
    Thread.sleep(d.toMillis(), (int) (d.toNanos() % 1_000_000));
  }

  private Fixtures() {}
}
