package dev.switchboard.kafka;

import java.util.Arrays;

/**
 * The offsets of one partition that were fetched and are not settled yet, lowest first. Not
 * thread-safe; {@link PartitionLedger} guards it.
 *
 * <p>Design: a consumer fetches a partition's offsets in increasing order and mostly settles them
 * in that order, so the set is a sorted array of offsets with a removed flag per slot. Adding the
 * next higher offset appends; removing one finds it by binary search and flags it, and the head
 * moves past flagged slots, so the lowest pending offset is always at the head. Nothing is boxed
 * and nothing is allocated per offset. An offset lower than the highest one added (after a seek
 * back) is inserted in place, which costs a shift but keeps the order. When the array is full it is
 * compacted if at least half of it is flagged, and doubled otherwise: a head that stays pending for
 * long while later offsets come and go makes the array compact, not grow, so its length stays
 * within four times the most offsets ever pending at once (and at least 64); it never shrinks.
 */
final class PendingOffsets {
  private long[] offsets = new long[64];
  private boolean[] removed = new boolean[64];

  /** The first slot in use; never a removed one while the set is not empty. */
  private int head;

  /** One past the last slot in use. */
  private int tail;

  private int size;

  /** Adds an offset; does nothing if it is pending already. */
  void add(long offset) {
    if (tail > head && offsets[tail - 1] >= offset) {
      insert(offset);
      return;
    }
    makeRoom();
    offsets[tail] = offset;
    removed[tail] = false;
    tail++;
    size++;
  }

  /** Removes an offset; false if it was not pending. */
  boolean remove(long offset) {
    int i = Arrays.binarySearch(offsets, head, tail, offset);
    if (i < 0 || removed[i]) {
      return false;
    }
    removed[i] = true;
    size--;
    if (size == 0) {
      head = 0;
      tail = 0;
    } else {
      while (removed[head]) {
        head++;
      }
    }
    return true;
  }

  boolean isEmpty() {
    return size == 0;
  }

  /** The lowest pending offset; the set must not be empty. */
  long first() {
    if (size == 0) {
      throw new IllegalStateException("no offset is pending");
    }
    return offsets[head];
  }

  int size() {
    return size;
  }

  /** The length of the backing array; for tests. */
  int capacity() {
    return offsets.length;
  }

  void clear() {
    head = 0;
    tail = 0;
    size = 0;
  }

  private void insert(long offset) {
    int i = Arrays.binarySearch(offsets, head, tail, offset);
    if (i >= 0) {
      if (removed[i]) {
        removed[i] = false;
        size++;
      }
      return;
    }
    makeRoom();
    // The array may have been compacted: search again.
    int at = -Arrays.binarySearch(offsets, head, tail, offset) - 1;
    System.arraycopy(offsets, at, offsets, at + 1, tail - at);
    System.arraycopy(removed, at, removed, at + 1, tail - at);
    offsets[at] = offset;
    removed[at] = false;
    tail++;
    size++;
  }

  /** Makes sure one more slot fits after {@code tail}. */
  private void makeRoom() {
    if (tail < offsets.length) {
      return;
    }
    if (size <= offsets.length / 2) {
      int n = 0;
      for (int i = head; i < tail; i++) {
        if (!removed[i]) {
          offsets[n] = offsets[i];
          removed[n] = false;
          n++;
        }
      }
      head = 0;
      tail = n;
    } else {
      offsets = Arrays.copyOf(offsets, offsets.length * 2);
      removed = Arrays.copyOf(removed, removed.length * 2);
    }
  }
}
