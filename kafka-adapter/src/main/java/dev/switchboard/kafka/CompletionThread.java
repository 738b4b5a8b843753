package dev.switchboard.kafka;

import java.time.Duration;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one thread on which a transport completes the stages it hands to the core: producer
 * acknowledgements, commits, settlements. Tasks run one at a time in submission order.
 *
 * <p>Design: a producer acknowledges a whole batch of records in one network callback, and each
 * record completes its own future; with a blocking queue every one of them took a lock and woke the
 * thread. Here a submitter only appends to a lock-free queue and unparks the thread if it is
 * asleep, so a batch costs one wake-up and the thread drains it in one go.
 *
 * <p>Invariants: the thread parks only after announcing it will ({@code sleeping}) and checking the
 * queue once more, and a submitter reads the flag after appending, so no task is left in the queue
 * while the thread sleeps. After {@link #shutdown} the thread finishes what is queued and stops;
 * tasks submitted later run on the submitter's thread, so no stage is ever left incomplete (in the
 * moment of stopping, a late task may run beside the thread's last ones). A task that throws is
 * logged and the thread goes on.
 */
final class CompletionThread implements Executor {
  private static final Logger LOG = LoggerFactory.getLogger(CompletionThread.class);

  private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
  private final CountDownLatch terminated = new CountDownLatch(1);
  private final Thread thread;
  private volatile boolean sleeping;
  private volatile boolean shutdown;
  private volatile boolean stopped;

  CompletionThread(String name) {
    this.thread = Threads.factory(name).newThread(this::run);
    thread.start();
  }

  @Override
  public void execute(Runnable task) {
    if (shutdown && Thread.currentThread() != thread) {
      runSafely(task);
      return;
    }
    tasks.add(task);
    if (sleeping) {
      LockSupport.unpark(thread);
    }
    if (stopped) {
      // The thread may have drained for the last time before this task arrived.
      drain();
    }
  }

  /** Runs what is queued, then stops; later tasks run on their submitter's thread. */
  void shutdown() {
    shutdown = true;
    LockSupport.unpark(thread);
  }

  /** Waits until the thread has run the queued tasks and stopped. */
  boolean awaitTermination(Duration timeout) throws InterruptedException {
    return terminated.await(Math.max(1, timeout.toMillis()), TimeUnit.MILLISECONDS);
  }

  private void run() {
    try {
      while (true) {
        Runnable task = tasks.poll();
        if (task != null) {
          runSafely(task);
          // A task may leave the interrupt flag set; park would then return at once, forever.
          Thread.interrupted();
          continue;
        }
        if (shutdown) {
          // Written before the last drain: a task queued after it is drained by its submitter.
          stopped = true;
          drain();
          return;
        }
        sleeping = true;
        if (tasks.isEmpty() && !shutdown) {
          LockSupport.park(this);
        }
        sleeping = false;
      }
    } finally {
      terminated.countDown();
    }
  }

  private void drain() {
    for (Runnable late = tasks.poll(); late != null; late = tasks.poll()) {
      runSafely(late);
    }
  }

  private static void runSafely(Runnable task) {
    try {
      task.run();
    } catch (RuntimeException | Error e) {
      LOG.error("A completion task of the Kafka transport failed", e);
    }
  }
}
