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
  void noMoreThanConcurrencyRunAtOnce_andASlotIsFreeWhenItsTaskReturns() {
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
  void aReturnedTaskThatIsNotSettledYet_holdsItsKeyButNotItsSlot() {
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

  private Job submit(@Nullable String key, CountDownLatch hold) {
    Job j = new Job(key, hold);
    dispatcher.submit(j);
    return j;
  }

  private final class Job implements Dispatcher.Task {
    private final @Nullable String key;
    private final CountDownLatch hold;

    Job(@Nullable String key, CountDownLatch hold) {
      this.key = key;
      this.hold = hold;
    }

    @Override
    public @Nullable String key() {
      return key;
    }

    @Override
    public void run() {
      started.add(this);
      try {
        hold.await(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
