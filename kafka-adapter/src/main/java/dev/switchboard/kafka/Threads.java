package dev.switchboard.kafka;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/** Named daemon threads, so that thread dumps show which group a thread serves. */
final class Threads {
  private static final AtomicInteger SEQUENCE = new AtomicInteger();

  private Threads() {}

  /** A factory for one long-lived thread, named {@code name-N} with N unique in this JVM. */
  static ThreadFactory factory(String name) {
    return r -> {
      Thread t = new Thread(r, name + "-" + SEQUENCE.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  /** A factory for a pool: {@code name-N-worker-1}, {@code name-N-worker-2}, ... */
  static ThreadFactory pool(String name) {
    String prefix = name + "-" + SEQUENCE.incrementAndGet() + "-worker-";
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }
}
