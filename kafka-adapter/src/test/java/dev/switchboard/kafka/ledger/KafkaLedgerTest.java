package dev.switchboard.kafka.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.kafka.KafkaTransport;
import dev.switchboard.messaging.Messaging;
import dev.switchboard.testkit.conformance.AllowWarnings;
import dev.switchboard.testkit.conformance.LogCheck;
import dev.switchboard.testkit.kafka.KafkaBroker;
import dev.switchboard.testkit.kafka.KafkaBrokerException;
import dev.switchboard.testkit.ledger.LedgerJob;
import dev.switchboard.testkit.ledger.LedgerPlan;
import dev.switchboard.testkit.ledger.LedgerRun;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The ledger test on Kafka (see {@code dev.switchboard.testkit.ledger}): two consumer JVMs, two
 * SIGKILLs, a dead-letter outage (the group's dead-letter topic refuses records through its {@code
 * max.message.bytes}, see {@link DeadLetterTopicOutage}), one restart of a private broker, one
 * handler stalled past {@code max.poll.interval.ms} (pub-sub) or past the share group's record lock
 * duration (work queue). {@code -Dledger.messages=10000} runs the long form.
 *
 * <p>Kafka pub-sub promises per-key order, checked as {@code reordered == 0}: no message's first
 * handling starts before the first handling of an earlier message of its key. A share group
 * promises no order, so there it is only reported.
 */
@Tag("slow")
@Tag("private-broker")
@AllowWarnings("children are killed, the broker restarts and sends fail meanwhile")
class KafkaLedgerTest {
  static final String BOOTSTRAP = "bootstrap";
  static final int PARTITIONS = 4;
  static final Duration MAX_POLL_INTERVAL = Duration.ofSeconds(5);
  private static final Duration LOCK_DURATION = Duration.ofSeconds(5);
  private static final Duration STALL = Duration.ofSeconds(8);
  private static final int MESSAGES = Integer.getInteger("ledger.messages", 2_000);

  private static KafkaBroker broker;

  @RegisterExtension
  @Order(1)
  final LogCheck logs = new LogCheck();

  @BeforeAll
  static void startBroker() {
    try {
      broker =
          KafkaBroker.builder()
              .brokerProperty(
                  "group.share.record.lock.duration.ms", Long.toString(LOCK_DURATION.toMillis()))
              .build()
              .start();
    } catch (KafkaBrokerException e) {
      if ("true".equalsIgnoreCase(System.getenv("CI"))) {
        throw e;
      }
      Assumptions.abort("no Kafka broker could be started here: " + e.getMessage());
    }
  }

  @AfterAll
  static void closeBroker() {
    if (broker != null) {
      broker.close();
    }
  }

  @Test
  void pubSubLosesNothingAndKeepsKeyOrderThroughKillsDeadLetterOutageRestartAndStall() {
    LedgerRun.Result result = run(LedgerPlan.Mode.PUB_SUB, "kafka-pubsub");

    assertThat(result.verdict().problems()).isEmpty();
    assertThat(result.verdict().lost()).isZero();
    assertThat(result.verdict().reordered()).as("first handlings out of key order").isZero();
  }

  @Test
  void shareGroupQueueLosesNothingThroughKillsDeadLetterOutageRestartAndStall() {
    LedgerRun.Result result = run(LedgerPlan.Mode.WORK_QUEUE, "kafka-sharequeue");

    assertThat(result.verdict().problems()).isEmpty();
    assertThat(result.verdict().lost()).isZero();
  }

  private static LedgerRun.Result run(LedgerPlan.Mode mode, String label) {
    String name = "ledger-" + UUID.randomUUID().toString().substring(0, 8);
    Path dir = LedgerRun.directoryUnder(Path.of("target", "ledger"), label + "-" + name);
    String destination = name + (mode == LedgerPlan.Mode.PUB_SUB ? "-events" : "-jobs");
    String group = mode == LedgerPlan.Mode.PUB_SUB ? name + "-group" : destination;
    LedgerPlan plan =
        new LedgerPlan(
            mode,
            destination,
            group,
            MESSAGES,
            20,
            4,
            MESSAGES / 10,
            STALL,
            Map.of(BOOTSTRAP, broker.bootstrapServers()));
    KafkaTransport transport =
        KafkaTransport.builder()
            .bootstrapServers(broker.bootstrapServers())
            .clientId("ledger-parent")
            .partitions(PARTITIONS)
            .deliveryTimeout(Duration.ofSeconds(30))
            .build();
    // The transport names a group's dead-letter topic <destination>.<group>.dlt.
    String deadLetterTopic = destination + "." + group + ".dlt";
    try (Messaging messaging =
            Messaging.builder()
                .transport(transport)
                .register(LedgerJob.TYPE, LedgerJob.class)
                .source("ledger-parent")
                .build();
        DeadLetterTopicOutage outage =
            new DeadLetterTopicOutage(broker.bootstrapServers(), deadLetterTopic)) {
      LedgerRun.Result result =
          LedgerRun.builder()
              .label(label)
              .plan(plan)
              .runDirectory(dir)
              .childMain(KafkaLedgerChild.class)
              .messaging(messaging)
              .brokerRestart(broker::restart)
              .deadLetterOutage(outage::begin, outage::end)
              .publishFor(Duration.ofSeconds(Math.max(15, MESSAGES / 200)))
              .timeout(Duration.ofSeconds(150 + MESSAGES / 50))
              .build()
              .run();
      assertThat(result.faults()).as("faults injected").hasSizeGreaterThanOrEqualTo(5);
      // The transport reports the broker's MESSAGE_TOO_LARGE as PayloadTooLargeException.
      assertThat(result.outageFailures())
          .as("dead-letter publishes the broker refused during the outage")
          .isNotEmpty()
          .anySatisfy(f -> assertThat(f.error()).contains("PayloadTooLargeException"));
      return result;
    }
  }
}
