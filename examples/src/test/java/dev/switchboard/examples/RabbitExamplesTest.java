package dev.switchboard.examples;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The examples on the RabbitMQ at 127.0.0.1:5672 (guest/guest). */
@Tag("rabbit")
class RabbitExamplesTest {
  static Backend backend;

  @BeforeAll
  static void connect() {
    try {
      backend = RabbitBackend.open(RabbitBackend.DEFAULT_URI);
    } catch (BackendUnavailableException e) {
      Brokers.missing(e.getMessage());
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
    BrokerExamples.orderEvents(backend);
  }

  @Test
  void workQueue() throws Exception {
    BrokerExamples.workQueue(backend);
  }

  @Test
  void requestReply() throws Exception {
    BrokerExamples.requestReply(backend);
  }
}
