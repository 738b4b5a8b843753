package dev.switchboard.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class CompletionThreadTest {
  @Test
  void tasksFromManySubmitters_runOnceEach_inEachSubmittersOrder_onTheOneThread() throws Exception {
    CompletionThread completions = new CompletionThread("test-completions");
    List<String> ran = new CopyOnWriteArrayList<>();
    List<String> threads = new CopyOnWriteArrayList<>();
    CountDownLatch go = new CountDownLatch(1);
    List<Thread> submitters =
        IntStream.range(0, 4)
            .mapToObj(
                s ->
                    new Thread(
                        () -> {
                          awaitQuietly(go);
                          for (int i = 0; i < 5_000; i++) {
                            String name = s + ":" + i;
                            completions.execute(
                                () -> {
                                  ran.add(name);
                                  threads.add(Thread.currentThread().getName());
                                });
                          }
                        }))
            .toList();
    submitters.forEach(Thread::start);
    go.countDown();
    for (Thread t : submitters) {
      t.join(TimeUnit.SECONDS.toMillis(30));
    }

    await().atMost(Duration.ofSeconds(30)).until(() -> ran.size() == 20_000);
    for (int s = 0; s < 4; s++) {
      String prefix = s + ":";
      List<String> own = ran.stream().filter(n -> n.startsWith(prefix)).toList();
      assertThat(own).hasSize(5_000);
      assertThat(own).isEqualTo(IntStream.range(0, 5_000).mapToObj(i -> prefix + i).toList());
    }
    assertThat(threads).allMatch(n -> n.startsWith("test-completions-"));
    completions.shutdown();
    assertThat(completions.awaitTermination(Duration.ofSeconds(10))).isTrue();
  }

  @Test
  void aTaskThatThrows_doesNotStopTheThread() {
    CompletionThread completions = new CompletionThread("test-completions");
    List<String> ran = new CopyOnWriteArrayList<>();
    completions.execute(
        () -> {
          throw new IllegalStateException("boom from a test task");
        });
    completions.execute(() -> ran.add("after"));

    await().atMost(Duration.ofSeconds(10)).until(() -> ran.contains("after"));
    completions.shutdown();
  }

  @Test
  void aTaskThatLeavesTheInterruptFlagSet_doesNotPassItOnToTheNextTask() {
    CompletionThread completions = new CompletionThread("test-completions");
    List<Boolean> interrupted = new CopyOnWriteArrayList<>();
    completions.execute(() -> Thread.currentThread().interrupt());
    completions.execute(() -> interrupted.add(Thread.currentThread().isInterrupted()));

    await().atMost(Duration.ofSeconds(10)).until(() -> interrupted.size() == 1);
    // A flag left set would also make the idle thread's park return at once, in a busy loop.
    assertThat(interrupted).containsExactly(false);
    completions.shutdown();
  }

  @Test
  void afterShutdown_queuedTasksStillRun_andLaterOnesRunOnTheSubmitter() throws Exception {
    CompletionThread completions = new CompletionThread("test-completions");
    CountDownLatch hold = new CountDownLatch(1);
    List<String> ran = new CopyOnWriteArrayList<>();
    completions.execute(() -> awaitQuietly(hold));
    completions.execute(() -> ran.add("queued"));
    completions.shutdown();
    hold.countDown();
    assertThat(completions.awaitTermination(Duration.ofSeconds(10))).isTrue();

    completions.execute(() -> ran.add("late on " + Thread.currentThread().getName()));

    assertThat(ran).containsExactly("queued", "late on " + Thread.currentThread().getName());
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
