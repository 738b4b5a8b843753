package dev.switchboard.examples;

import dev.switchboard.testkit.kafka.KafkaBroker;
import dev.switchboard.testkit.kafka.KafkaBrokerException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The examples on the testkit's shared Kafka broker (or SWITCHBOARD_KAFKA_BOOTSTRAP). */
@Tag("kafka")
class KafkaExamplesTest {
  static Backend backend;

  @BeforeAll
  static void connect() {
    try {
      backend = KafkaBackend.open(KafkaBroker.shared().bootstrapServers(), new Output().writer());
    } catch (KafkaBrokerException | BackendUnavailableException e) {
      String message = String.valueOf(e.getMessage());
      int newline = message.indexOf('\n');
      Brokers.missing(
          "no Kafka broker: " + (newline < 0 ? message : message.substring(0, newline)));
    }
  }

  @AfterAll
  static void close() {
    if (backend != null) {
      backend.close();
    }
  }

  @Test
  void orderEvents() throws Exception {
    BrokerExamples.orderEvents(backend, RunNames.random());
  }

  @Test
  void workQueue() throws Exception {
    BrokerExamples.workQueue(backend, RunNames.random());
  }

  @Test
  void requestReply() throws Exception {
    BrokerExamples.requestReply(backend, RunNames.random());
  }
}
