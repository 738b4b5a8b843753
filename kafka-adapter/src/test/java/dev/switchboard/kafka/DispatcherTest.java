package dev.switchboard.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
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
  void noMoreThanConcurrencyAreOut() {
    Job x = submit(null);
    Job y = submit(null);
    submit(null);

    await().until(() -> started.size() == 2);
    assertThat(dispatcher.out()).isEqualTo(2);
    dispatcher.done(x);
    await().until(() -> started.size() == 3);
    dispatcher.done(y);
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
    Job j = new Job(key);
    dispatcher.submit(j);
    return j;
  }

  private final class Job implements Dispatcher.Task {
    private final @Nullable String key;

    Job(@Nullable String key) {
      this.key = key;
    }

    @Override
    public @Nullable String key() {
      return key;
    }

    @Override
    public void run() {
      started.add(this);
    }
  }
}
