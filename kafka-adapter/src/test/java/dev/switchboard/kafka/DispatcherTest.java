package dev.switchboard.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class DispatcherTest {
  private final List<Job> started = new CopyOnWriteArrayList<>();
  private final Dispatcher dispatcher = new Dispatcher("test", 2, true);

  @AfterEach
  void stop() {
    dispatcher.shutdown(Duration.ofSeconds(1));
  }

  @Test
  void sameKey_runsOneAtATimeInOrder_otherKeysRunAlongside() {
    Job a1 = submit("a");
    Job a2 = submit("a");
    Job b1 = submit("b");

    await().until(() -> started.size() == 2);
    assertThat(started).containsExactlyInAnyOrder(a1, b1); // two threads: either may start first
    dispatcher.done(a1);
    await().until(() -> started.size() == 3);
    assertThat(started.get(2)).isSameAs(a2);
  }

  @Test
  void noMoreThanConcurrencyRunAtOnce_andASlotIsFreeWhenItsHandlerFinishedAndReturned() {
    CountDownLatch hold = new CountDownLatch(1);
    Job x = submit(null, hold);
    Job y = submit(null, hold);
    Job z = submit(null);

    await().until(() -> started.size() == 2);
    assertThat(started).containsExactlyInAnyOrder(x, y);
    assertThat(dispatcher.out()).isEqualTo(2);
    hold.countDown();
    await().until(() -> started.size() == 3);
    assertThat(started.get(2)).isSameAs(z);
    await().until(() -> dispatcher.out() == 0);
  }

  @Test
  void aFinishedTaskThatIsNotSettledYet_holdsItsKeyButNotItsSlot() {
    Job a1 = submit("a");
    Job a2 = submit("a");
    Job b1 = submit("b");
    Job c1 = submit("c");

    // a1, b1 and c1 return without settling: all three ran on two threads, a2 waits for a1.
    await().until(() -> started.size() == 3);
    assertThat(started).containsExactlyInAnyOrder(a1, b1, c1);
    dispatcher.done(a1);
    await().until(() -> started.size() == 4);
    assertThat(started.get(3)).isSameAs(a2);
  }

  @Test
  void aTaskWaitingForAnInProcessRetry_keepsItsSlot_soConcurrencyBoundsRetriesToo() {
    Job x = submit(null, new CountDownLatch(0), false);
    Job y = submit(null, new CountDownLatch(0), false);
    Job z = submit(null);

    // x and y returned without their handler finishing (a retry is pending): z must wait.
    await()
        .during(Duration.ofMillis(300))
        .atMost(Duration.ofSeconds(5))
        .until(() -> started.size() == 2 && dispatcher.out() == 2);
    dispatcher.handlerFinished(x);
    await().until(() -> started.size() == 3);
    assertThat(started.get(2)).isSameAs(z);
    dispatcher.done(y);
    await().until(() -> dispatcher.out() == 0);
  }

  @Test
  void handlerFinishedWhileTheTaskStillRuns_freesTheSlotOnlyWhenItReturns() {
    CountDownLatch hold = new CountDownLatch(1);
    Job x = submit(null, hold, true);
    Job y = submit(null, hold, true);
    Job z = submit(null);

    await().until(() -> x.finishedSignalled && y.finishedSignalled);
    assertThat(dispatcher.out()).isEqualTo(2);
    assertThat(started).containsExactlyInAnyOrder(x, y);
    hold.countDown();
    await().until(() -> started.size() == 3);
    assertThat(started.get(2)).isSameAs(z);
  }

  @Test
  void aHandlerThatLeavesTheInterruptFlagSet_doesNotPassItToTheNextTaskOnItsThread() {
    Dispatcher single = new Dispatcher("test-single", 1, false);
    List<Boolean> interrupted = new CopyOnWriteArrayList<>();
    CountDownLatch hold = new CountDownLatch(1);
    try {
      single.submit(task(single, () -> awaitQuietly(hold)));
      single.submit(task(single, () -> Thread.currentThread().interrupt()));
      single.submit(task(single, () -> interrupted.add(Thread.currentThread().isInterrupted())));
      hold.countDown(); // the last two now run one after the other on the one worker thread

      await().until(() -> interrupted.size() == 1);
      assertThat(interrupted).containsExactly(false);
    } finally {
      single.shutdown(Duration.ofSeconds(1));
    }
  }

  /** A key-less task whose handler succeeds and reports so to {@code owner} before it returns. */
  private static Dispatcher.Task task(Dispatcher owner, Runnable body) {
    return new Dispatcher.Task() {
      @Override
      public @Nullable String key() {
        return null;
      }

      @Override
      public void run() {
        body.run();
        owner.handlerFinished(this);
      }
    };
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Test
  void withdraw_takesBackUnstartedTasks_andPassesTheirKeyOn() {
    Job a1 = submit("a");
    Job a2 = submit("a");
    Job a3 = submit("a");
    await().until(() -> started.size() == 1);

    List<Dispatcher.Task> back = dispatcher.withdraw(t -> t == a2);
    dispatcher.done(a1);

    assertThat(back).containsExactly(a2);
    await().until(() -> started.size() == 2);
    assertThat(started).containsExactly(a1, a3);
  }

  private Job submit(@Nullable String key) {
    return submit(key, new CountDownLatch(0));
  }

  /** A job whose handler succeeds: it reports so just before it returns. */
  private Job submit(@Nullable String key, CountDownLatch hold) {
    return submit(key, hold, true);
  }

  private Job submit(@Nullable String key, CountDownLatch hold, boolean handlerSucceeds) {
    Job j = new Job(key, hold, handlerSucceeds);
    dispatcher.submit(j);
    return j;
  }

  private final class Job implements Dispatcher.Task {
    private final @Nullable String key;
    private final CountDownLatch hold;
    private final boolean handlerSucceeds;
    volatile boolean finishedSignalled;

    Job(@Nullable String key, CountDownLatch hold, boolean handlerSucceeds) {
      this.key = key;
      this.hold = hold;
      this.handlerSucceeds = handlerSucceeds;
    }

    @Override
    public @Nullable String key() {
      return key;
    }

    @Override
    public void run() {
      started.add(this);
      if (handlerSucceeds) {
        // The core reports a finished handler before the task's thread is back.
        dispatcher.handlerFinished(this);
        finishedSignalled = true;
      }
      try {
        hold.await(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
