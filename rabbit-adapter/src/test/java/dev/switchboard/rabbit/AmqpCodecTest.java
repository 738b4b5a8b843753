package dev.switchboard.rabbit;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.ShutdownSignalException;
import com.rabbitmq.client.impl.LongStringHelper;
import dev.switchboard.messaging.Envelope;
import dev.switchboard.messaging.spi.WireHeaders;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AmqpCodecTest {
  private static final Instant NOW = Instant.parse("2025-01-01T00:00:00Z");

  @Test
  void expirationIsWrittenOnlyWhenAskedAndNeverBelowOneMillisecond() {
    Envelope e = Envelope.builder().deadline(NOW.plusMillis(1500)).replyTo("q").build();
    assertThat(AmqpCodec.properties(e, null, true, NOW).getExpiration()).isEqualTo("1500");
    assertThat(AmqpCodec.properties(e, null, false, NOW).getExpiration()).isNull();
    assertThat(AmqpCodec.properties(e, null, true, NOW.plusSeconds(5)).getExpiration())
        .isEqualTo("1");
  }

  @Test
  void directReplyToReplacesTheReplyToHeader() {
    Envelope e = Envelope.builder().replyTo("amq.rabbitmq.reply-to#x.1").build();
    AMQP.BasicProperties p = AmqpCodec.properties(e, "amq.rabbitmq.reply-to", false, NOW);
    assertThat(p.getReplyTo()).isEqualTo("amq.rabbitmq.reply-to");
    assertThat(p.getHeaders()).doesNotContainKey(WireHeaders.REPLY_TO);
    assertThat(p.getDeliveryMode()).isEqualTo(2);
  }

  @Test
  void readingFiltersBrokerHeadersCountsDeliveriesAndReportsBadValues() {
    Map<String, Object> headers = new LinkedHashMap<>();
    headers.put("x-delivery-count", 3L);
    headers.put("x-death", java.util.List.of(Map.of("count", 1)));
    headers.put(WireHeaders.ATTEMPT, "two");
    headers.put(WireHeaders.REPLY_TO, "stale");
    headers.put("bytes", LongStringHelper.asLongString(new byte[] {(byte) 0xff}));
    headers.put("list", java.util.List.of(LongStringHelper.asLongString("a"), 1));
    AMQP.BasicProperties props =
        new AMQP.BasicProperties.Builder()
            .headers(headers)
            .replyTo("amq.rabbitmq.reply-to.g1h")
            .messageId("id-1")
            .build();

    AmqpCodec.Decoded d = AmqpCodec.decode(props, new byte[0], true, NOW);

    assertThat(d.deliveryCount()).isEqualTo(4);
    assertThat(d.message().envelope().id()).isEqualTo("id-1");
    assertThat(d.message().envelope().replyTo()).contains("amq.rabbitmq.reply-to.g1h");
    assertThat(d.message().envelope().time()).isEqualTo(NOW);
    assertThat(d.message().envelope().headers())
        .containsEntry("list", "[a, 1]")
        .doesNotContainKeys("x-delivery-count", "x-death", "bytes");
    assertThat(d.problems()).hasSize(2);
    assertThat(d.problems()).anySatisfy(p -> assertThat(p).contains("'bytes'"));
    assertThat(d.problems()).anySatisfy(p -> assertThat(p).contains(WireHeaders.ATTEMPT));
    assertThat(AmqpCodec.decode(props, new byte[0], false, NOW).deliveryCount()).isZero();
  }

  @Test
  void aMessageWithoutPropertiesDecodesToDefaults() {
    AmqpCodec.Decoded d = AmqpCodec.decode(null, new byte[] {1}, true, NOW);
    assertThat(d.problems()).isEmpty();
    assertThat(d.deliveryCount()).isEqualTo(1);
    assertThat(d.message().envelope().attempt()).isEqualTo(1);
  }

  @Test
  void theBrokersConsumerTimeoutIsRecognised() {
    AMQP.Channel.Close timeout =
        new AMQP.Channel.Close.Builder()
            .replyCode(406)
            .replyText(
                "PRECONDITION_FAILED - delivery acknowledgement on channel 1 timed out. Timeout"
                    + " value used: 1800000 ms. This timeout value can be configured, see"
                    + " consumers doc guide to learn more")
            .build();
    AMQP.Channel.Close other =
        new AMQP.Channel.Close.Builder()
            .replyCode(406)
            .replyText("PRECONDITION_FAILED - unknown delivery tag 2")
            .build();
    assertThat(
            ConsumerChannel.isConsumerTimeout(
                new ShutdownSignalException(false, false, timeout, null)))
        .isTrue();
    assertThat(
            ConsumerChannel.isConsumerTimeout(
                new ShutdownSignalException(false, false, other, null)))
        .isFalse();
  }
}
