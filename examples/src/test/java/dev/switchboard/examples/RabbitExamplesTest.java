package dev.switchboard.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.ShutdownSignalException;
import dev.switchboard.messaging.ConsumerOptions;
import dev.switchboard.messaging.RetryPolicy;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The examples on the RabbitMQ at 127.0.0.1:5672 (guest/guest). Each runs on a backend of its own
 * and must leave none of its queues and exchanges behind once the backend is closed. The names
 * expected come from the transport's documented layout and the examples' retry policies; each is
 * checked to exist after the run, so that the check for leftovers does not pass vacuously.
 */
@Tag("rabbit")
class RabbitExamplesTest {
  static Connection probe;

  final RunNames names = RunNames.random();

  @BeforeAll
  static void connect() throws Exception {
    try {
      RabbitBackend.open(RabbitBackend.DEFAULT_URI).close();
    } catch (BackendUnavailableException e) {
      Brokers.missing(e.getMessage());
    }
    ConnectionFactory factory = new ConnectionFactory();
    factory.setUri(RabbitBackend.DEFAULT_URI);
    probe = factory.newConnection("switchboard-examples-test-probe");
  }

  @AfterAll
  static void close() throws IOException {
    if (probe != null) {
      probe.close();
    }
  }

  @Test
  void orderEventsPassesAndLeavesNoQueueOrExchangeBehind() throws Exception {
    String topic = names.of("orders");
    RetryPolicy retry = ConsumerOptions.defaults().retry();
    List<String> queues = new ArrayList<>();
    queues.addAll(groupQueues(topic + ".billing", retry));
    queues.addAll(groupQueues(topic + ".shipping", retry));

    try (Backend backend = RabbitBackend.open(RabbitBackend.DEFAULT_URI)) {
      BrokerExamples.orderEvents(backend, names);
      assertPresent(queues, List.of(topic));
    }

    assertGone(queues, List.of(topic));
  }

  @Test
  void workQueuePassesAndLeavesNoQueueBehind() throws Exception {
    List<String> queues = groupQueues(names.of("invoice-jobs"), WorkQueueExample.fastRetry());

    try (Backend backend = RabbitBackend.open(RabbitBackend.DEFAULT_URI)) {
      BrokerExamples.workQueue(backend, names);
      assertPresent(queues, List.of());
    }

    assertGone(queues, List.of());
  }

  @Test
  void requestReplyPassesAndLeavesNoQueueBehind() throws Exception {
    RetryPolicy retry = ConsumerOptions.defaults().retry();
    List<String> queues = new ArrayList<>();
    queues.addAll(groupQueues(names.of("quotes"), retry));
    queues.addAll(groupQueues(names.of("tax"), retry));

    try (Backend backend = RabbitBackend.open(RabbitBackend.DEFAULT_URI)) {
      BrokerExamples.requestReply(backend, names);
      assertPresent(queues, List.of());
    }

    assertGone(queues, List.of());
  }

  /** A group or work queue {@code queue}, its dead-letter queue and its wait queues. */
  private static List<String> groupQueues(String queue, RetryPolicy retry) {
    List<String> all = new ArrayList<>(List.of(queue, queue + ".dlq"));
    for (Duration delay : retry.redeliveryDelays()) {
      // Levels computed by doubling can fall short of a whole millisecond (1599.99... ms); the
      // transport names a wait queue by its delay rounded up.
      long millis = (delay.toNanos() + 999_999) / 1_000_000;
      all.add(queue + ".wait." + millis + "ms");
    }
    return all;
  }

  private static void assertPresent(List<String> queues, List<String> exchanges) {
    assertThat(queues).as("queues the run should have declared").allMatch(q -> exists(q, true));
    assertThat(exchanges)
        .as("exchanges the run should have declared")
        .allMatch(x -> exists(x, false));
  }

  private static void assertGone(List<String> queues, List<String> exchanges) {
    assertThat(queues).as("queues left behind").filteredOn(q -> exists(q, true)).isEmpty();
    assertThat(exchanges).as("exchanges left behind").filteredOn(x -> exists(x, false)).isEmpty();
  }

  /** Declares {@code name} passively on a channel of its own: the broker answers 404 if absent. */
  private static boolean exists(String name, boolean queue) {
    try {
      Channel channel = probe.createChannel();
      try {
        if (queue) {
          channel.queueDeclarePassive(name);
        } else {
          channel.exchangeDeclarePassive(name);
        }
      } catch (IOException e) {
        if (e.getCause() instanceof ShutdownSignalException signal
            && signal.getReason() instanceof AMQP.Channel.Close close
            && close.getReplyCode() == AMQP.NOT_FOUND) {
          return false; // the broker closed the channel with the answer
        }
        throw e;
      }
      channel.close();
      return true;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (TimeoutException e) {
      throw new IllegalStateException("closing a probe channel timed out", e);
    }
  }
}
