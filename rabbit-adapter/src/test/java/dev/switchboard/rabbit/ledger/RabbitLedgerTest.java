package dev.switchboard.rabbit.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.messaging.Messaging;
import dev.switchboard.rabbit.RabbitTransport;
import dev.switchboard.testkit.conformance.AllowWarnings;
import dev.switchboard.testkit.conformance.LogCheck;
import dev.switchboard.testkit.ledger.LedgerJob;
import dev.switchboard.testkit.ledger.LedgerPlan;
import dev.switchboard.testkit.ledger.LedgerRun;
import dev.switchboard.testkit.rabbit.PrivateRabbitNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The ledger test on RabbitMQ (see {@code dev.switchboard.testkit.ledger}): two consumer JVMs, two
 * SIGKILLs, a dead-letter outage (a policy on the private node makes the group's dead-letter queue
 * nack every publish, see {@link DeadLetterQueueOutage}), one restart of a private node, one
 * handler stalled past the node's {@code consumer_timeout} (5 s, checked every second). {@code
 * -Dledger.messages=10000} runs the long form.
 *
 * <p>RabbitMQ keeps no order per key when a group consumes over more than one channel, which two
 * children do, so the reordering count is only reported.
 */
@Tag("slow")
@Tag("private-broker")
@AllowWarnings("children are killed, the node restarts, the consumer timeout closes a channel")
class RabbitLedgerTest {
  static final String URI = "uri";
  private static final Duration CONSUMER_TIMEOUT = Duration.ofSeconds(5);
  private static final Duration STALL = Duration.ofSeconds(8);
  private static final int MESSAGES = Integer.getInteger("ledger.messages", 2_000);

  private static PrivateRabbitNode node;

  @RegisterExtension
  @Order(1)
  final LogCheck logs = new LogCheck();

  @BeforeAll
  static void startNode() {
    PrivateRabbitNode.requireInstalled();
    node =
        PrivateRabbitNode.builder()
            .config("consumer_timeout", Long.toString(CONSUMER_TIMEOUT.toMillis()))
            .advancedConfig("channel_tick_interval", "1000")
            .build()
            .start();
  }

  @AfterAll
  static void closeNode() {
    if (node != null) {
      node.close();
    }
  }

  @Test
  void workQueueLosesNothingThroughKillsDeadLetterOutageRestartAndStall() {
    LedgerRun.Result result = run(LedgerPlan.Mode.WORK_QUEUE, "rabbit-workqueue");

    assertThat(result.verdict().problems()).isEmpty();
    assertThat(result.verdict().lost()).isZero();
  }

  @Test
  void pubSubLosesNothingThroughKillsDeadLetterOutageRestartAndStall() {
    LedgerRun.Result result = run(LedgerPlan.Mode.PUB_SUB, "rabbit-pubsub");

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
            Map.of(URI, node.uri()));
    RabbitTransport transport =
        RabbitTransport.builder()
            .uri(node.uri())
            .connectionName("ledger-parent")
            .recoveryInterval(Duration.ofMillis(500))
            .publishTimeout(Duration.ofSeconds(5))
            .build();
    // The transport names a group's dead-letter queue <group queue>.dlq, where the group queue is
    // <topic>.<group> for a topic and the queue itself for a work queue.
    String groupQueue = mode == LedgerPlan.Mode.PUB_SUB ? destination + "." + group : destination;
    DeadLetterQueueOutage outage = new DeadLetterQueueOutage(node, groupQueue + ".dlq");
    try (Messaging messaging =
        Messaging.builder()
            .transport(transport)
            .register(LedgerJob.TYPE, LedgerJob.class)
            .source("ledger-parent")
            .build()) {
      LedgerRun.Result result =
          LedgerRun.builder()
              .label(label)
              .plan(plan)
              .runDirectory(dir)
              .childMain(RabbitLedgerChild.class)
              .messaging(messaging)
              .brokerRestart(node::restart)
              .deadLetterOutage(outage::begin, outage::end)
              .publishFor(Duration.ofSeconds(Math.max(15, MESSAGES / 200)))
              .timeout(Duration.ofSeconds(150 + MESSAGES / 50))
              .build()
              .run();
      assertThat(result.faults()).as("faults injected").hasSizeGreaterThanOrEqualTo(5);
      assertThat(result.outageFailures())
          .as("dead-letter publishes the broker refused during the outage")
          .isNotEmpty()
          .anySatisfy(f -> assertThat(f.error()).contains("refused (nack)"));
      return result;
    }
  }
}
