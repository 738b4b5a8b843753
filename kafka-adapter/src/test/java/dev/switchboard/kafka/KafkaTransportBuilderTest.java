package dev.switchboard.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class KafkaTransportBuilderTest {
  @Test
  void aRawPropertyForATypedSetting_isRejectedNamingBoth() {
    assertThatThrownBy(() -> KafkaTransport.builder().producerProperty("linger.ms", "0"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("linger.ms")
        .hasMessageContaining("linger(Duration)");
  }

  @Test
  void propertiesTheTransportOwns_areRejectedWithTheReason() {
    assertThatThrownBy(() -> KafkaTransport.builder().producerProperty("acks", "1"))
        .hasMessageContaining("all in-sync replicas");
    assertThatThrownBy(
            () -> KafkaTransport.builder().consumerProperty("enable.auto.commit", "true"))
        .hasMessageContaining("settled offsets");
    assertThatThrownBy(() -> KafkaTransport.builder().consumerProperty("session.timeout.ms", "1"))
        .hasMessageContaining("consumer.session.timeout.ms");
  }

  @Test
  void lingerNotShorterThanTheDeliveryTimeout_isRejectedAtTheSecondCall() {
    KafkaTransport.Builder b = KafkaTransport.builder().deliveryTimeout(Duration.ofSeconds(1));

    assertThatThrownBy(() -> b.linger(Duration.ofSeconds(2)))
        .hasMessageContaining("linger(PT2S)")
        .hasMessageContaining("deliveryTimeout(PT1S)");
  }

  @Test
  void aRepeatedSetting_isRejected() {
    KafkaTransport.Builder b = KafkaTransport.builder().partitions(3);

    assertThatThrownBy(() -> b.partitions(4))
        .hasMessageContaining("partitions(..) was already set to 3");
  }

  @Test
  void theSameKeyForAllClientsAndForOneKind_isRejected() {
    KafkaTransport.Builder b = KafkaTransport.builder().clientProperty("security.protocol", "SSL");

    assertThatThrownBy(() -> b.producerProperty("security.protocol", "PLAINTEXT"))
        .hasMessageContaining("clientProperty");
  }

  @Test
  void theProducer_isIdempotentWithAcksAllAndTheGivenLinger() {
    try (KafkaTransport t =
        KafkaTransport.builder()
            .bootstrapServers("127.0.0.1:1")
            .linger(Duration.ofMillis(7))
            .deliveryTimeout(Duration.ofSeconds(10))
            .build()) {
      Map<String, Object> p = t.settings().producerConfig();

      assertThat(p)
          .containsEntry("acks", "all")
          .containsEntry("enable.idempotence", true)
          .containsEntry("linger.ms", 7)
          .containsEntry("delivery.timeout.ms", 10_000)
          .containsEntry("request.timeout.ms", 9_993);
      assertThat(t.settings().groupConsumerConfig("g", 8))
          .containsEntry("group.protocol", "consumer")
          .containsEntry("enable.auto.commit", false)
          .containsEntry("max.poll.records", 8);
      assertThat(t.settings().shareConsumerConfig("g", 8))
          .containsEntry("share.acknowledgement.mode", "explicit")
          .doesNotContainKey("auto.offset.reset");
    }
  }

  @Test
  void derivedNames_stayWithinKafkasLimit() {
    String longName = "d".repeat(200);
    String group = "g".repeat(200);

    String retry = TopicNames.retry(longName, group, Duration.ofSeconds(1));

    assertThat(retry).hasSizeLessThanOrEqualTo(249).endsWith(".retry-1000ms");
    assertThat(retry)
        .isNotEqualTo(TopicNames.retry(longName, "h".repeat(200), Duration.ofSeconds(1)));
    assertThat(TopicNames.deadLetter("orders", "billing")).isEqualTo("orders.billing.dlt");
  }
}
