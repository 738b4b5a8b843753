package dev.switchboard.testkit.conformance;

import static dev.switchboard.testkit.conformance.Fixtures.numbers;
import static dev.switchboard.testkit.conformance.Fixtures.simulateWork;
import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.messaging.ConsumerOptions;
import dev.switchboard.testkit.conformance.TestMessages.Item;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Work queues: competing workers in separate processes, each job handled once. */
public abstract class WorkQueueConformance {
  @RegisterExtension
  @Order(1)
  final LogCheck logs = new LogCheck();

  @RegisterExtension
  @Order(2)
  final Kit kit = new Kit(this::target);

  /** The transport under test. */
  protected abstract ConformanceTarget target();

  @Test
  void threeWorkersHandleEveryJobExactlyOnce() {
    int jobs = 300;
    String queue = kit.name("jobs");
    List<Tally> workers = List.of(new Tally(), new Tally(), new Tally());
    ConsumerOptions options = ConsumerOptions.builder().concurrency(2).build();
    for (Tally worker : workers) {
      kit.messaging()
          .consume(
              queue,
              Item.class,
              (job, ctx) -> {
                simulateWork(Duration.ofMillis(1));
                worker.record(job.n());
              },
              options);
    }

    kit.sendItems(kit.messaging(), queue, jobs);

    kit.await()
        .untilAsserted(
            () -> assertThat(workers.stream().mapToInt(Tally::calls).sum()).isEqualTo(jobs));
    Set<Integer> union = new HashSet<>();
    for (Tally worker : workers) {
      assertThat(worker.duplicates()).isEmpty();
      for (int n : worker.numbers()) {
        assertThat(union.add(n)).as("job %d handled by two workers", n).isTrue();
      }
    }
    assertThat(union).isEqualTo(numbers(jobs));
  }
}
