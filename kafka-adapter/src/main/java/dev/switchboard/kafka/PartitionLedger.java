package dev.switchboard.kafka;

import dev.switchboard.messaging.TransportException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.jspecify.annotations.Nullable;

/**
 * Which offsets of one assigned partition are settled, and what may be committed.
 *
 * <p>Invariants: the commit point is the lowest fetched offset not yet settled, or the next offset
 * to fetch when everything fetched is settled; it never decreases while the partition is assigned,
 * so a committed offset never moves backwards. Offsets above the commit point that are settled
 * already travel in the commit's metadata (see {@link OffsetRanges}), so a restart or a new owner
 * skips them instead of handling them again. An acknowledgement completes when a successful commit
 * covers its offset. All methods are synchronized: poll and worker threads both call them.
 *
 * <p>Acknowledgements complete on the {@code completions} executor, never on the poll thread that
 * learns of the commit, and all those one commit covers complete in one task: one hand-off per
 * commit instead of one per record.
 */
final class PartitionLedger {
  /** Offset metadata is limited to 4096 bytes by default on the broker; stay well under. */
  private static final int METADATA_BUDGET = 3000;

  private final TopicPartition partition;
  private final Executor completions;
  private final PendingOffsets pending = new PendingOffsets();
  private final OffsetRanges settled;
  private final List<Waiter> waiters = new ArrayList<>();
  private final List<CompletableFuture<Void>> rewindWaiters = new ArrayList<>(1);
  private long nextFetch;
  private long lastSentOffset = -1;
  private String lastSentMetadata = "";
  private long committedOffset = -1;
  private String committedMetadata = "";
  private int out;
  private boolean rewind;
  private boolean active = true;

  /** What one commit of this partition carried. */
  record Commit(OffsetAndMetadata offset, OffsetRanges above) {}

  /** An acknowledgement waiting for a commit to cover its offset. */
  private record Waiter(long offset, CompletableFuture<Void> ack) {}

  PartitionLedger(
      TopicPartition partition, long position, OffsetRanges alreadySettled, Executor completions) {
    this.partition = partition;
    this.completions = completions;
    this.nextFetch = position;
    this.settled = alreadySettled;
    this.settled.removeBelow(position);
  }

  TopicPartition partition() {
    return partition;
  }

  /**
   * Records one fetched offset; false if it was settled before and must be skipped. The poll loop
   * records a poll's records at once with {@link #fetched(List)}.
   */
  synchronized boolean fetched(long offset) {
    return fetchedLocked(offset);
  }

  /** Records a poll's fetched records of this partition; returns those not settled before. */
  synchronized <R extends ConsumerRecord<?, ?>> List<R> fetched(List<R> records) {
    List<R> fresh = new ArrayList<>(records.size());
    for (R r : records) {
      if (fetchedLocked(r.offset())) {
        fresh.add(r);
      }
    }
    return fresh;
  }

  private boolean fetchedLocked(long offset) {
    nextFetch = Math.max(nextFetch, offset + 1);
    if (settled.contains(offset)) {
      return false;
    }
    pending.add(offset);
    return true;
  }

  /**
   * Hands {@code count} records out by running {@code submit}, unless a rewind is pending or the
   * partition is gone; atomic with {@link #rewindThen}, so no record slips past a release.
   */
  synchronized boolean handOutUnlessRewinding(int count, Runnable submit) {
    if (rewind || !active) {
      return false;
    }
    out += count;
    submit.run();
    return true;
  }

  /** A handed-out record is back: settled, released or withdrawn before it started. */
  synchronized void returned() {
    out--;
  }

  /**
   * Marks an offset settled; the returned stage completes when a commit covers it. Fails at once if
   * the partition is no longer assigned here.
   */
  CompletionStage<Void> settle(long offset) {
    CompletableFuture<Void> f = new CompletableFuture<>();
    synchronized (this) {
      if (active) {
        // The lowest pending offset only moves the commit point: the settled set holds offsets
        // above it, and in-order settling (the usual case) never touches it.
        boolean lowest = !pending.isEmpty() && pending.first() == offset;
        pending.remove(offset);
        if (!lowest) {
          settled.add(offset);
        }
        waiters.add(new Waiter(offset, f));
        return f.minimalCompletionStage();
      }
    }
    completeLater(List.of(f), revoked());
    return f.minimalCompletionStage();
  }

  synchronized boolean active() {
    return active;
  }

  /** Asks for a seek back to the commit point once nothing of this partition is out. */
  synchronized CompletableFuture<Void> requestRewind() {
    return rewindThen(() -> {});
  }

  /**
   * Like {@link #requestRewind}, then runs {@code afterwards} (which takes back the records not yet
   * started) before any other record of the partition can be handed out.
   */
  synchronized CompletableFuture<Void> rewindThen(Runnable afterwards) {
    CompletableFuture<Void> f = new CompletableFuture<>();
    if (!active) {
      f.complete(null);
      return f;
    }
    rewind = true;
    rewindWaiters.add(f);
    afterwards.run();
    return f;
  }

  synchronized boolean rewindRequested() {
    return rewind;
  }

  /**
   * When a rewind is requested and nothing is out, forgets what is fetched but unsettled and
   * returns the offset to seek to; empty otherwise. The caller must seek and then call {@link
   * #rewound}.
   */
  synchronized Optional<Long> rewindPoint() {
    if (!rewind || out > 0) {
      return Optional.empty();
    }
    long point = commitPoint();
    pending.clear();
    nextFetch = point;
    return Optional.of(point);
  }

  synchronized void rewound() {
    rewind = false;
    rewindWaiters.forEach(f -> f.complete(null));
    rewindWaiters.clear();
  }

  /**
   * The next commit to send: empty if it equals the last one sent, or with {@code force} the last
   * one known to have succeeded.
   */
  synchronized Optional<Commit> nextCommit(boolean force) {
    long point = commitPoint();
    settled.removeBelow(point);
    OffsetRanges above = settled.fitting(point, METADATA_BUDGET);
    String metadata = above.encode(point);
    boolean same =
        force
            ? point == committedOffset && metadata.equals(committedMetadata)
            : point == lastSentOffset && metadata.equals(lastSentMetadata);
    if (same) {
      return Optional.empty();
    }
    lastSentOffset = point;
    lastSentMetadata = metadata;
    return Optional.of(new Commit(new OffsetAndMetadata(point, metadata), above));
  }

  /** A commit succeeded: completes every acknowledgement it covers. */
  void committed(Commit commit) {
    List<CompletableFuture<Void>> covered = new ArrayList<>();
    synchronized (this) {
      long offset = commit.offset().offset();
      if (offset < committedOffset) {
        return;
      }
      committedOffset = offset;
      committedMetadata = commit.offset().metadata();
      waiters.removeIf(
          w -> {
            boolean done = w.offset() < offset || commit.above().contains(w.offset());
            if (done) {
              covered.add(w.ack());
            }
            return done;
          });
    }
    completeLater(covered, null);
  }

  /** A commit failed: the next {@link #nextCommit} sends it again. */
  synchronized void commitFailed() {
    lastSentOffset = committedOffset;
    lastSentMetadata = committedMetadata;
  }

  /**
   * The partition left this consumer. Acknowledgements no commit covered fail: the new owner
   * delivers those messages again.
   */
  void revoke() {
    List<CompletableFuture<Void>> failed;
    synchronized (this) {
      active = false;
      failed = new ArrayList<>(waiters.size());
      for (Waiter w : waiters) {
        failed.add(w.ack());
      }
      waiters.clear();
      rewindWaiters.forEach(f -> f.complete(null));
      rewindWaiters.clear();
      rewind = false;
    }
    completeLater(failed, revoked());
  }

  /** Fetched records not yet settled, including those waiting for their redelivery time. */
  synchronized int unsettled() {
    return pending.size();
  }

  synchronized long commitPointForTest() {
    return commitPoint();
  }

  /**
   * Completes the futures on the completions executor, or here if it no longer runs tasks; never
   * called with this ledger's monitor held, so no continuation runs under it.
   */
  private void completeLater(
      List<CompletableFuture<Void>> futures, @Nullable TransportException failure) {
    if (futures.isEmpty()) {
      return;
    }
    Runnable complete =
        () -> {
          for (CompletableFuture<Void> f : futures) {
            if (failure == null) {
              f.complete(null);
            } else {
              f.completeExceptionally(failure);
            }
          }
        };
    try {
      completions.execute(complete);
    } catch (RejectedExecutionException e) {
      complete.run();
    }
  }

  private long commitPoint() {
    return pending.isEmpty() ? nextFetch : pending.first();
  }

  private TransportException revoked() {
    return new TransportException(
        "partition "
            + partition
            + " was reassigned before its offset was committed; the message will be delivered"
            + " again");
  }
}
