package dev.switchboard.messaging.spi;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import org.jspecify.annotations.Nullable;

/**
 * Writes and reads the instants of {@code ce_time} and {@code sb_deadline} on the hot path.
 *
 * <p>Design: every message carries at least one instant each way, and {@link Instant#toString()}
 * and {@link Instant#parse} go through the general {@code DateTimeFormatter} machinery, which
 * showed up as the largest single cost of decoding a record. This class handles the one shape the
 * toolkit writes, {@code yyyy-MM-ddTHH:mm:ss[.fff[fff[fff]]]Z} with a four-digit year, by hand and
 * gives everything else (offsets, lowercase letters, leap seconds, other years) to the JDK, so it
 * accepts and produces exactly what {@link Instant#parse} and {@link Instant#toString()} do.
 */
final class IsoInstant {
  private static final long MIN_FAST = LocalDate.of(0, 1, 1).toEpochDay() * 86_400L;
  private static final long MAX_FAST = LocalDate.of(10_000, 1, 1).toEpochDay() * 86_400L;

  private IsoInstant() {}

  /** The same text as {@link Instant#toString()}. */
  static String format(Instant instant) {
    long seconds = instant.getEpochSecond();
    if (seconds < MIN_FAST || seconds >= MAX_FAST) {
      return instant.toString();
    }
    LocalDateTime t = LocalDateTime.ofEpochSecond(seconds, 0, ZoneOffset.UTC);
    int nanos = instant.getNano();
    StringBuilder b = new StringBuilder(30);
    digits(b, t.getYear(), 4);
    b.append('-');
    digits(b, t.getMonthValue(), 2);
    b.append('-');
    digits(b, t.getDayOfMonth(), 2);
    b.append('T');
    digits(b, t.getHour(), 2);
    b.append(':');
    digits(b, t.getMinute(), 2);
    b.append(':');
    digits(b, t.getSecond(), 2);
    if (nanos != 0) {
      b.append('.');
      if (nanos % 1_000_000 == 0) {
        digits(b, nanos / 1_000_000, 3);
      } else if (nanos % 1_000 == 0) {
        digits(b, nanos / 1_000, 6);
      } else {
        digits(b, nanos, 9);
      }
    }
    return b.append('Z').toString();
  }

  /**
   * The same instant as {@link Instant#parse}.
   *
   * @throws DateTimeParseException if {@link Instant#parse} would throw
   */
  static Instant parse(String text) {
    Instant fast = parseCommon(text);
    return fast != null ? fast : Instant.parse(text);
  }

  /** The instant of text in the shape this class writes, or null for anything else. */
  private static @Nullable Instant parseCommon(String s) {
    int n = s.length();
    if (n < 20 || n > 30 || s.charAt(n - 1) != 'Z') {
      return null;
    }
    if (s.charAt(4) != '-' || s.charAt(7) != '-' || s.charAt(10) != 'T') {
      return null;
    }
    if (s.charAt(13) != ':' || s.charAt(16) != ':') {
      return null;
    }
    int year = number(s, 0, 4);
    int month = number(s, 5, 7);
    int day = number(s, 8, 10);
    int hour = number(s, 11, 13);
    int minute = number(s, 14, 16);
    int second = number(s, 17, 19);
    if ((year | month | day | hour | minute | second) < 0) {
      return null;
    }
    int nanos = 0;
    if (n > 20) {
      int digits = n - 21;
      if (s.charAt(19) != '.' || digits < 1 || digits > 9) {
        return null;
      }
      nanos = number(s, 20, n - 1);
      if (nanos < 0) {
        return null;
      }
      for (int i = digits; i < 9; i++) {
        nanos *= 10;
      }
    } else if (n != 20) {
      return null;
    }
    if (month < 1 || month > 12 || hour > 23 || minute > 59 || second > 59) {
      return null;
    }
    if (day < 1 || day > LocalDate.of(year, month, 1).lengthOfMonth()) {
      return null;
    }
    long epochDay = LocalDate.of(year, month, day).toEpochDay();
    return Instant.ofEpochSecond(epochDay * 86_400L + hour * 3_600L + minute * 60L + second, nanos);
  }

  /** The decimal number in {@code s[from, to)}, or -1 if any character is not an ASCII digit. */
  private static int number(String s, int from, int to) {
    int value = 0;
    for (int i = from; i < to; i++) {
      int d = s.charAt(i) - '0';
      if (d < 0 || d > 9) {
        return -1;
      }
      value = value * 10 + d;
    }
    return value;
  }

  private static void digits(StringBuilder b, int value, int width) {
    int start = b.length();
    b.setLength(start + width);
    for (int i = start + width - 1; i >= start; i--) {
      b.setCharAt(i, (char) ('0' + value % 10));
      value /= 10;
    }
  }
}
