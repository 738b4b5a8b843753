package dev.switchboard.kafka;

import dev.switchboard.messaging.Envelope;
import dev.switchboard.messaging.spi.ConsumerSpec;
import dev.switchboard.messaging.spi.Destination;
import dev.switchboard.messaging.spi.WireMessage;
import dev.switchboard.testkit.kafka.KafkaBroker;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/** Small factories for messages, names and transports used across the adapter tests. */
final class Wire {
  private Wire() {}

  static WireMessage message(@Nullable String key, String body) {
    return new WireMessage(
        Envelope.builder().key(key).type("test.item").build(),
        body.getBytes(StandardCharsets.UTF_8));
  }

  /** A destination or group name no other test uses. */
  static String unique(String prefix) {
    return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  static KafkaTransport.Builder transport(KafkaBroker broker) {
    return KafkaTransport.builder()
        .bootstrapServers(broker.bootstrapServers())
        .clientId("adapter-test")
        .deliveryTimeout(Duration.ofSeconds(20));
  }

  static ConsumerSpec spec(Destination d, String group, int concurrency) {
    return new ConsumerSpec(d, group, concurrency, Math.max(concurrency, 16), List.of());
  }
}
