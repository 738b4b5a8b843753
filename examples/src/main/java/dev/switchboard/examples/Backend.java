package dev.switchboard.examples;

import dev.switchboard.messaging.spi.Transport;
import java.time.Duration;

/**
 * Where the examples' messages travel. Each simulated process gets a transport of its own from
 * {@link #connect}, as separate processes would; they meet on one broker (or, for the in-memory
 * backend, one JVM-wide set of queues).
 */
interface Backend extends AutoCloseable {
  /** What the messages run on, for people: {@code in-memory transport}, {@code Kafka at ...}. */
  String description();

  /** A transport for one process; the caller's {@code Messaging} closes it. */
  Transport connect(String process);

  /** How long a demo waits for messages to arrive before it calls them lost. */
  default Duration patience() {
    return Duration.ofSeconds(20);
  }

  /**
   * A request timeout that an ordinary round trip through two services meets with room to spare,
   * the first one (which opens reply endpoints) included.
   */
  default Duration requestTimeout() {
    return Duration.ofSeconds(2);
  }

  /** Stops whatever the backend started; transports handed out must be closed already. */
  @Override
  void close();
}
