package dev.switchboard.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.switchboard.messaging.memory.InMemoryTransport;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** A handler that returns after its consumer closed: its settlement fails, and that is normal. */
class SettleAfterCloseTest {
  record Job(int n) {}

  private final Messaging messaging =
      Messaging.builder().transport(InMemoryTransport.create()).register("Job", Job.class).build();
  private final Logger attemptsLog = (Logger) LoggerFactory.getLogger(Attempts.class);
  private final ListAppender<ILoggingEvent> logged = new ListAppender<>();

  @BeforeEach
  void capture() {
    logged.start();
    attemptsLog.addAppender(logged);
  }

  @AfterEach
  void close() {
    attemptsLog.detachAppender(logged);
    messaging.close();
  }

  @Test
  void aSettlementThatFailsBecauseTheConsumerClosed_isNotReportedAsAWarning() throws Exception {
    CountDownLatch running = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    AtomicBoolean returned = new AtomicBoolean();
    Subscription s =
        messaging.consume(
            "jobs",
            Job.class,
            (job, ctx) -> {
              running.countDown();
              release.await(10, TimeUnit.SECONDS);
              returned.set(true);
            });
    messaging.send("jobs", new Job(1)).join();
    assertThat(running.await(10, TimeUnit.SECONDS)).isTrue();

    s.close(); // gives the unsettled message back while its handler still runs
    release.countDown();

    await().atMost(Duration.ofSeconds(10)).until(returned::get);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> logged.list.stream().anyMatch(e -> e.getMessage().contains("after close")));
    assertThat(logged.list)
        .filteredOn(e -> e.getLevel().isGreaterOrEqual(Level.WARN))
        .extracting(ILoggingEvent::getFormattedMessage)
        .isEmpty();
  }
}
