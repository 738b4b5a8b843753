package dev.switchboard.kafka;

import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * A set of offsets kept as disjoint closed ranges, and its compact text form stored in the metadata
 * of a committed offset. Not thread-safe.
 *
 * <p>The text form is {@code sb1:} followed by comma-separated ranges relative to a base offset,
 * for example {@code sb1:1-3,7} for offsets base+1 to base+3 and base+7. A committed offset records
 * the first offset not yet settled; the ranges record the offsets above it that are settled
 * already, so that they are not delivered again after a restart or rebalance.
 */
final class OffsetRanges {
  private static final String PREFIX = "sb1:";

  /** Range start to range end, both inclusive. */
  private final TreeMap<Long, Long> ranges = new TreeMap<>();

  void add(long offset) {
    if (contains(offset)) {
      return;
    }
    long lo = offset;
    long hi = offset;
    Map.Entry<Long, Long> below = ranges.floorEntry(offset - 1);
    if (below != null && below.getValue() == offset - 1) {
      lo = below.getKey();
      ranges.remove(below.getKey());
    }
    Long aboveHi = ranges.remove(offset + 1);
    if (aboveHi != null) {
      hi = aboveHi;
    }
    ranges.put(lo, hi);
  }

  void remove(long offset) {
    Map.Entry<Long, Long> e = ranges.floorEntry(offset);
    if (e == null || e.getValue() < offset) {
      return;
    }
    ranges.remove(e.getKey());
    if (e.getKey() < offset) {
      ranges.put(e.getKey(), offset - 1);
    }
    if (e.getValue() > offset) {
      ranges.put(offset + 1, e.getValue());
    }
  }

  boolean contains(long offset) {
    Map.Entry<Long, Long> e = ranges.floorEntry(offset);
    return e != null && e.getValue() >= offset;
  }

  boolean isEmpty() {
    return ranges.isEmpty();
  }

  /** How many offsets the set holds. */
  long size() {
    long n = 0;
    for (Map.Entry<Long, Long> e : ranges.entrySet()) {
      n += e.getValue() - e.getKey() + 1;
    }
    return n;
  }

  /** How many offsets of the set are below {@code end}. */
  long countBelow(long end) {
    long n = 0;
    for (Map.Entry<Long, Long> e : ranges.headMap(end, false).entrySet()) {
      n += Math.min(e.getValue(), end - 1) - e.getKey() + 1;
    }
    return n;
  }

  /** Drops every offset below {@code floor}. */
  void removeBelow(long floor) {
    Iterator<Map.Entry<Long, Long>> it = ranges.entrySet().iterator();
    Map.Entry<Long, Long> cut = null;
    while (it.hasNext()) {
      Map.Entry<Long, Long> e = it.next();
      if (e.getKey() >= floor) {
        break;
      }
      it.remove();
      if (e.getValue() >= floor) {
        cut = e;
        break;
      }
    }
    if (cut != null) {
      ranges.put(floor, cut.getValue());
    }
  }

  OffsetRanges copy() {
    OffsetRanges c = new OffsetRanges();
    c.ranges.putAll(ranges);
    return c;
  }

  /**
   * The ranges at or above {@code base} that fit in {@code budget} characters, lowest first, as a
   * new set; {@link #encode} of the result is at most {@code budget} long.
   */
  OffsetRanges fitting(long base, int budget) {
    OffsetRanges out = new OffsetRanges();
    int length = PREFIX.length();
    for (Map.Entry<Long, Long> e : ranges.tailMap(base, true).entrySet()) {
      int add = token(e.getKey() - base, e.getValue() - base).length() + (out.isEmpty() ? 0 : 1);
      if (length + add > budget) {
        break;
      }
      length += add;
      out.ranges.put(e.getKey(), e.getValue());
    }
    return out;
  }

  /** The text form relative to {@code base}; every offset in the set must be at least base. */
  String encode(long base) {
    if (ranges.isEmpty()) {
      return "";
    }
    StringBuilder sb = new StringBuilder(PREFIX);
    for (Map.Entry<Long, Long> e : ranges.entrySet()) {
      if (sb.length() > PREFIX.length()) {
        sb.append(',');
      }
      sb.append(token(e.getKey() - base, e.getValue() - base));
    }
    return sb.toString();
  }

  /** Parses {@link #encode} output; anything it does not recognise yields an empty set. */
  static OffsetRanges decode(@Nullable String text, long base) {
    OffsetRanges out = new OffsetRanges();
    if (text == null || !text.startsWith(PREFIX)) {
      return out;
    }
    try {
      for (String token : text.substring(PREFIX.length()).split(",")) {
        if (token.isEmpty()) {
          continue;
        }
        int dash = token.indexOf('-');
        long lo = Long.parseLong(dash < 0 ? token : token.substring(0, dash));
        long hi = dash < 0 ? lo : Long.parseLong(token.substring(dash + 1));
        if (lo < 0 || hi < lo) {
          return new OffsetRanges();
        }
        out.ranges.put(base + lo, base + hi);
      }
    } catch (NumberFormatException e) {
      return new OffsetRanges();
    }
    return out;
  }

  private static String token(long lo, long hi) {
    return lo == hi ? Long.toString(lo) : lo + "-" + hi;
  }

  @Override
  public String toString() {
    return ranges.toString();
  }
}
