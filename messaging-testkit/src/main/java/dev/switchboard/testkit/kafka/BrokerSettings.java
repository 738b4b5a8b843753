package dev.switchboard.testkit.kafka;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The validated settings of one private broker, as collected by {@link KafkaBroker.Builder}. */
record BrokerSettings(
    Map<String, String> brokerProperties,
    boolean autoCreateTopics,
    List<String> jvmOptions,
    Duration startupTimeout,
    Duration shutdownTimeout,
    Optional<SaslSslListener> saslSsl) {

  BrokerSettings {
    brokerProperties = Map.copyOf(brokerProperties);
    jvmOptions = List.copyOf(jvmOptions);
  }

  static BrokerSettings defaults() {
    return new BrokerSettings(
        Map.of(),
        false,
        List.of(),
        Duration.ofSeconds(60),
        Duration.ofSeconds(30),
        Optional.empty());
  }
}
