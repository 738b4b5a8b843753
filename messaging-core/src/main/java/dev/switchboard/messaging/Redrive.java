package dev.switchboard.messaging;

import java.util.Objects;
import java.util.function.Predicate;

/**
 * A request to send dead letters back to the group they failed in. Built with {@link #builder()};
 * by default it moves every dead letter, at most 1 000, refusing any message already redriven
 * {@value #DEFAULT_MAX_REDRIVES} times.
 *
 * <p>A redriven message keeps its id, key, headers and bytes; its attempt starts again at 1; its
 * failure headers are removed; and it gains provenance headers: {@value #COUNT} (how many times it
 * has been redriven), {@value #FROM} (the dead-letter destination) and {@value #AT} (when).
 */
public final class Redrive {
  public static final String COUNT = "sb_redrive_count";
  public static final String FROM = "sb_redrive_from";
  public static final String AT = "sb_redrive_at";
  public static final int DEFAULT_MAX_REDRIVES = 3;

  private final Predicate<DeadLetter> filter;
  private final int limit;
  private final boolean dryRun;
  private final int maxRedrives;

  private Redrive(Builder b) {
    this.filter = b.filter;
    this.limit = b.limit;
    this.dryRun = b.dryRun;
    this.maxRedrives = b.maxRedrives;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Every dead letter, up to 1 000. */
  public static Redrive all() {
    return builder().build();
  }

  public Predicate<DeadLetter> filter() {
    return filter;
  }

  public int limit() {
    return limit;
  }

  public boolean dryRun() {
    return dryRun;
  }

  public int maxRedrives() {
    return maxRedrives;
  }

  /** Mode of a redrive: really move, or only report what would move. */
  public enum Mode {
    MOVE,
    DRY_RUN
  }

  /** Builds a {@link Redrive}. */
  public static final class Builder {
    private Predicate<DeadLetter> filter = d -> true;
    private int limit = 1000;
    private boolean dryRun;
    private int maxRedrives = DEFAULT_MAX_REDRIVES;

    private Builder() {}

    /** Only dead letters matching {@code filter} are moved. */
    public Builder filter(Predicate<DeadLetter> filter) {
      this.filter = Objects.requireNonNull(filter, "filter");
      return this;
    }

    /** Move at most {@code limit} messages; from 1. */
    public Builder limit(int limit) {
      if (limit < 1) {
        throw new IllegalArgumentException("limit must be >= 1, was " + limit);
      }
      this.limit = limit;
      return this;
    }

    public Builder mode(Mode mode) {
      this.dryRun = Objects.requireNonNull(mode, "mode") == Mode.DRY_RUN;
      return this;
    }

    /** The loop guard: refuse a message already redriven this many times; from 1. */
    public Builder maxRedrives(int maxRedrives) {
      if (maxRedrives < 1) {
        throw new IllegalArgumentException("maxRedrives must be >= 1, was " + maxRedrives);
      }
      this.maxRedrives = maxRedrives;
      return this;
    }

    public Redrive build() {
      return new Redrive(this);
    }
  }

  /**
   * What a redrive did.
   *
   * @param matched dead letters that passed the filter (within the limit)
   * @param moved messages sent back to their group (0 in a dry run)
   * @param refused matching messages left in place by the loop guard
   * @param dryRun whether nothing was moved on purpose
   */
  public record Result(int matched, int moved, int refused, boolean dryRun) {}
}
