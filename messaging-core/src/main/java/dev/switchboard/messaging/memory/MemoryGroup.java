package dev.switchboard.messaging.memory;

import dev.switchboard.messaging.spi.DeadLetterStore;
import dev.switchboard.messaging.spi.Destination;
import dev.switchboard.messaging.spi.WireMessage;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * The messages of one group (or one work queue): ordering lanes, and the dead-letter queue.
 *
 * <p>Design. A message with a key goes to the lane its key hashes to; one without a key goes to the
 * next lane in turn. A lane hands out its head only when nothing from it is in flight, which keeps
 * per-key order across any number of competing consumers while different keys run in parallel. A
 * message given back (release) returns to the head of its lane. One monitor guards everything;
 * waiting workers are woken when a lane becomes available.
 */
final class MemoryGroup {
  /** A message and how often it has been handed out. */
  static final class Entry {
    final WireMessage message;
    final int lane;
    int deliveries;

    Entry(WireMessage message, int lane) {
      this.message = message;
      this.lane = lane;
    }
  }

  private final Destination destination;
  private final String name;
  private final ArrayDeque<Entry>[] lanes;
  private final boolean[] busy;
  private final ArrayDeque<WireMessage> deadLetters = new ArrayDeque<>();
  private int nextLane;
  private int scanFrom;
  private int ready;

  @SuppressWarnings("unchecked")
  MemoryGroup(Destination destination, String name, int laneCount) {
    this.destination = destination;
    this.name = name;
    this.lanes = new ArrayDeque[laneCount];
    this.busy = new boolean[laneCount];
    for (int i = 0; i < laneCount; i++) {
      lanes[i] = new ArrayDeque<>();
    }
  }

  String describe() {
    return destination + " group " + name;
  }

  void offer(WireMessage message) {
    synchronized (this) {
      int lane;
      Optional<String> key = message.envelope().key();
      if (key.isPresent()) {
        lane = Math.floorMod(key.get().hashCode(), lanes.length);
      } else {
        lane = nextLane;
        nextLane = (nextLane + 1) % lanes.length;
      }
      lanes[lane].addLast(new Entry(message, lane));
      if (!busy[lane] && lanes[lane].size() == 1) {
        ready++;
        notify();
      }
    }
  }

  /**
   * Takes the head of an available lane, waiting while there is none; null once {@code stillWanted}
   * turns false (checked on every wake-up).
   */
  @Nullable Entry take(java.util.function.BooleanSupplier stillWanted) throws InterruptedException {
    synchronized (this) {
      while (true) {
        if (!stillWanted.getAsBoolean()) {
          if (ready > 0) {
            notify(); // pass the wake-up on to a worker that still wants messages
          }
          return null;
        }
        if (ready > 0) {
          for (int i = 0; i < lanes.length; i++) {
            int lane = (scanFrom + i) % lanes.length;
            if (!busy[lane] && !lanes[lane].isEmpty()) {
              scanFrom = (lane + 1) % lanes.length;
              busy[lane] = true;
              ready--;
              Entry e = lanes[lane].pollFirst();
              e.deliveries++;
              if (ready > 0) {
                notify();
              }
              return e;
            }
          }
        }
        wait(200);
      }
    }
  }

  /** The entry is settled; its lane may hand out the next message. */
  void done(Entry e) {
    synchronized (this) {
      busy[e.lane] = false;
      if (!lanes[e.lane].isEmpty()) {
        ready++;
        notify();
      }
    }
  }

  /** The entry goes back to the head of its lane, to be delivered again. */
  void giveBack(Entry e) {
    synchronized (this) {
      lanes[e.lane].addFirst(e);
      busy[e.lane] = false;
      ready++;
      notify();
    }
  }

  /** Wakes every waiting worker, so that one that should stop notices. */
  void wakeAll() {
    synchronized (this) {
      notifyAll();
    }
  }

  void deadLetter(WireMessage message) {
    synchronized (this) {
      deadLetters.addLast(message);
    }
  }

  int depth() {
    synchronized (this) {
      int n = 0;
      for (ArrayDeque<Entry> lane : lanes) {
        n += lane.size();
      }
      return n;
    }
  }

  DeadLetterStore deadLetters() {
    return new DeadLetterStore() {
      @Override
      public List<WireMessage> browse(int limit) {
        synchronized (MemoryGroup.this) {
          List<WireMessage> out = new ArrayList<>(Math.min(limit, deadLetters.size()));
          for (WireMessage m : deadLetters) {
            if (out.size() >= limit) {
              break;
            }
            out.add(m);
          }
          return out;
        }
      }

      @Override
      public int move(int scanLimit, Function<WireMessage, Optional<WireMessage>> decide) {
        List<WireMessage> toSend = new ArrayList<>();
        synchronized (MemoryGroup.this) {
          Iterator<WireMessage> it = deadLetters.iterator();
          int scanned = 0;
          while (it.hasNext() && scanned++ < scanLimit) {
            Optional<WireMessage> next = decide.apply(it.next());
            if (next.isPresent()) {
              it.remove();
              toSend.add(next.get());
            }
          }
        }
        toSend.forEach(MemoryGroup.this::offer);
        return toSend.size();
      }

      @Override
      public long count() {
        synchronized (MemoryGroup.this) {
          return deadLetters.size();
        }
      }
    };
  }
}
