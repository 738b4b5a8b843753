package dev.switchboard.kafka;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs deliveries on worker threads, never on a poll thread.
 *
 * <p>Design: at most {@code concurrency} tasks hold a slot at once. A task holds its slot while its
 * handler runs and, after {@link Task#run} returns, until the core reports that the handler will
 * not run again ({@link #handlerFinished}) or the delivery is settled ({@link #done}), whichever
 * comes first. So a delivery waiting out an in-process retry's backoff keeps its slot, and {@code
 * concurrency} bounds the handler calls running at once, retries included, while a delivery that
 * only waits for its settlement (a responder's reply to be confirmed, a dead letter to be stored,
 * an acknowledgement to be committed) does not: a responder at concurrency 1 can have many replies
 * in flight, bounded by the poll loop's prefetch. A worker whose task returns runs the next ready
 * task itself while there is room, so a busy consumer hands no record from thread to thread.
 * Ordering is held until the delivery is settled: when keyed, tasks with the same key run one at a
 * time in submission order, each starting only after the one before it is settled, while tasks with
 * different keys run in parallel. Each key with work has a queue, and only its head is ever ready
 * or running. Tasks without a key are never held back. All state is guarded by this object's
 * monitor; the pool has {@code concurrency} threads, one per slot.
 */
final class Dispatcher {
  private static final Logger LOG = LoggerFactory.getLogger(Dispatcher.class);

  /** A unit of work; {@link #run} must eventually lead to {@link Dispatcher#done}. */
  interface Task {
    /** The ordering key, or null for none. */
    @Nullable String key();

    void run();
  }

  private final int concurrency;
  private final boolean keyed;
  private final String name;
  private final ExecutorService workers;
  private final ArrayDeque<Task> ready = new ArrayDeque<>();

  /** Keys with a task ready or out, to the tasks waiting behind it. */
  private final Map<String, ArrayDeque<Task>> claimed = new HashMap<>();

  /** Tasks holding a slot, to what has happened to them; identity, since a task is one delivery. */
  private final Map<Task, Slot> slots = new IdentityHashMap<>();

  private int out;
  private boolean shutdown;

  Dispatcher(String name, int concurrency, boolean keyed) {
    this.name = name;
    this.concurrency = concurrency;
    this.keyed = keyed;
    this.workers = Executors.newFixedThreadPool(concurrency, Threads.pool(name));
  }

  synchronized void submit(Task task) {
    enqueue(task);
    pump();
  }

  /** Submits tasks in order, taking the monitor once for all of them. */
  synchronized void submitAll(List<? extends Task> tasks) {
    for (Task t : tasks) {
      enqueue(t);
    }
    pump();
  }

  private void enqueue(Task task) {
    String key = keyOf(task);
    if (key != null) {
      ArrayDeque<Task> behind = claimed.get(key);
      if (behind != null) {
        behind.add(task);
        return;
      }
      claimed.put(key, new ArrayDeque<>(2));
    }
    ready.add(task);
  }

  /** Reports that a task is settled, freeing its key for the next task. Call once per task. */
  synchronized void done(Task task) {
    release(keyOf(task));
    finished(task);
    pump();
  }

  /**
   * Reports that a task's handler will not run again and only its settlement is left: its slot is
   * free once its thread is back. May come before or after {@link Task#run} returns, or not at all.
   */
  synchronized void handlerFinished(Task task) {
    finished(task);
    pump();
  }

  /**
   * Takes back tasks that have not started and match {@code filter}. Their keys pass to the next
   * remaining task of the same key.
   */
  synchronized List<Task> withdraw(Predicate<Task> filter) {
    List<Task> removed = new ArrayList<>();
    for (ArrayDeque<Task> behind : claimed.values()) {
      for (Iterator<Task> it = behind.iterator(); it.hasNext(); ) {
        Task t = it.next();
        if (filter.test(t)) {
          it.remove();
          removed.add(t);
        }
      }
    }
    List<Task> readyRemoved = new ArrayList<>();
    for (Iterator<Task> it = ready.iterator(); it.hasNext(); ) {
      Task t = it.next();
      if (filter.test(t)) {
        it.remove();
        readyRemoved.add(t);
      }
    }
    for (Task t : readyRemoved) {
      release(keyOf(t));
    }
    removed.addAll(readyRemoved);
    pump();
    return removed;
  }

  /** Tasks holding a slot now: running, or returned and waiting for a retry; for tests. */
  synchronized int out() {
    return out;
  }

  /**
   * Stops taking tasks and waits at most {@code timeout} for running handlers to return. Handlers
   * still running then are left to finish on their own (the threads are daemons, never interrupted:
   * a handler's thread belongs to its work); whatever they settle afterwards fails, and the broker
   * delivers those messages again.
   */
  void shutdown(Duration timeout) {
    synchronized (this) {
      shutdown = true;
      ready.clear();
      claimed.clear();
      slots.clear();
    }
    workers.shutdown();
    try {
      if (!workers.awaitTermination(Math.max(1, timeout.toMillis()), TimeUnit.MILLISECONDS)) {
        LOG.warn(
            "Handlers of {} are still running after the consumer closed; what they settle now"
                + " fails and those messages will be delivered again",
            name);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void release(@Nullable String key) {
    if (key == null) {
      return;
    }
    ArrayDeque<Task> behind = claimed.get(key);
    if (behind == null) {
      return;
    }
    Task next = behind.poll();
    if (next != null) {
      ready.add(next);
    } else {
      claimed.remove(key);
    }
  }

  private void pump() {
    for (Task t = claimNext(); t != null; t = claimNext()) {
      Task task = t;
      try {
        workers.execute(() -> runSafely(task));
      } catch (RejectedExecutionException e) {
        out--;
        slots.remove(task);
        return;
      }
    }
  }

  /**
   * Takes the next ready task and gives it a slot, or null if none may start. Holds the monitor.
   */
  private @Nullable Task claimNext() {
    if (shutdown || out >= concurrency || ready.isEmpty()) {
      return null;
    }
    Task t = ready.poll();
    out++;
    slots.put(t, new Slot());
    return t;
  }

  /**
   * Runs a task, then, while there is room and work, the next ready task on the same thread: a busy
   * consumer hands no task from thread to thread, only an idle one wakes a worker.
   */
  private void runSafely(Task first) {
    for (Task t = first; t != null; ) {
      boolean threw = false;
      try {
        t.run();
      } catch (RuntimeException | Error e) {
        threw = true;
        LOG.error("A delivery task of {} failed outside the handler; it is released", name, e);
      }
      // A handler may leave the interrupt flag set; the next delivery on this thread must not
      // start interrupted (the pool clears it between its own tasks, this loop must too).
      Thread.interrupted();
      synchronized (this) {
        Slot slot = slots.get(t);
        if (slot != null) {
          slot.returned = true;
          if (slot.finished || threw) {
            free(t);
          }
        }
        t = claimNext();
        pump();
      }
    }
  }

  /** Marks a task's handler finished; frees its slot if its thread is back. Holds the monitor. */
  private void finished(Task t) {
    Slot slot = slots.get(t);
    if (slot == null) {
      return;
    }
    slot.finished = true;
    if (slot.returned) {
      free(t);
    }
  }

  private void free(Task t) {
    if (slots.remove(t) != null) {
      out--;
    }
  }

  /** What has happened to a task that holds a slot. */
  private static final class Slot {
    boolean returned;
    boolean finished;
  }

  private @Nullable String keyOf(Task t) {
    return keyed ? t.key() : null;
  }
}
