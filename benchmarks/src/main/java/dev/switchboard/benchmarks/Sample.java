package dev.switchboard.benchmarks;

import java.util.ArrayList;
import java.util.List;

/**
 * The record every scenario sends: an order as a shop service would publish it. {@link #of} pads
 * the note so that the JSON is exactly the requested size, which keeps the payload bytes the same
 * on every side of a comparison.
 */
public record Sample(
    String id, String cust, long seq, long cents, String ccy, List<String> items, String note) {

  /** A sequence number with a fixed count of digits, so that the encoded size never changes. */
  static final long FIRST_SEQ = 1_000_000_000L;

  /** The logical type name registered with the toolkit. */
  static final String TYPE = "OrderPlaced";

  /** The same order with another sequence number; the encoded size stays the same. */
  Sample withSeq(long n) {
    return new Sample(id, cust, FIRST_SEQ + n, cents, ccy, items, note);
  }

  /** An order whose JSON encoding is exactly {@code bytes} long (at least 95). */
  static Sample of(int bytes) {
    List<String> items = new ArrayList<>();
    if (bytes >= 400) {
      for (int i = 0; i < 12; i++) {
        items.add("sku-" + (48_213 + i * 7) + "-qty-" + (1 + i % 3));
      }
    }
    Sample bare = new Sample("o-7f3a", "c-1042", FIRST_SEQ, 12_990, "EUR", List.copyOf(items), "");
    int missing = bytes - Json.size(bare);
    if (missing < 0) {
      throw new IllegalArgumentException("an order encodes to at least " + Json.size(bare) + " B");
    }
    Sample padded = bare.withNote("x".repeat(missing));
    if (Json.size(padded) != bytes) {
      throw new IllegalStateException("padding missed: " + Json.size(padded) + " != " + bytes);
    }
    return padded;
  }

  private Sample withNote(String text) {
    return new Sample(id, cust, seq, cents, ccy, items, text);
  }
}
