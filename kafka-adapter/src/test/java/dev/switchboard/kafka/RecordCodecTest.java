package dev.switchboard.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

class RecordCodecTest {

  static ConsumerRecord<byte[], byte[]> plainRecord(long offset, long timestamp) {
    return record(offset, timestamp, new RecordHeaders());
  }

  private static ConsumerRecord<byte[], byte[]> record(
      long offset, long timestamp, RecordHeaders headers) {
    return new ConsumerRecord<>(
        "orders",
        3,
        offset,
        timestamp,
        TimestampType.CREATE_TIME,
        0,
        5,
        null,
        "hello".getBytes(StandardCharsets.UTF_8),
        headers,
        Optional.of(7));
  }

  private static String idOf(ConsumerRecord<byte[], byte[]> r) {
    return RecordCodec.decode(r).message().envelope().id();
  }

  @Test
  void aRecordWithoutAnId_getsTheSameUuidOnEveryDecode() {
    ConsumerRecord<byte[], byte[]> r = plainRecord(42, 1_700_000_000_000L);
    String first = idOf(r);
    assertThat(UUID.fromString(first).toString()).isEqualTo(first);
    assertThat(idOf(plainRecord(42, 1_700_000_000_000L))).isEqualTo(first);
  }

  @Test
  void aLaterRecordAtTheSameOffset_afterTheTopicWasCreatedAgain_getsAnotherId() {
    String before = idOf(plainRecord(42, 1_700_000_000_000L));
    assertThat(idOf(plainRecord(42, 1_700_000_000_001L))).isNotEqualTo(before);
    assertThat(idOf(plainRecord(43, 1_700_000_000_000L))).isNotEqualTo(before);
  }

  @Test
  void aRecordWithAnId_keepsIt() {
    RecordHeaders headers = new RecordHeaders();
    headers.add("ce_id", "order-1".getBytes(StandardCharsets.UTF_8));
    assertThat(idOf(record(42, 1_700_000_000_000L, headers))).isEqualTo("order-1");
  }

  @Test
  void decodingTwice_givesEqualMessages() {
    ConsumerRecord<byte[], byte[]> r = plainRecord(42, -1);
    assertThat(RecordCodec.decode(r, 1_700_000_000_000L))
        .isEqualTo(RecordCodec.decode(r, 1_700_000_000_000L));
  }
}
