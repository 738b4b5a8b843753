package dev.switchboard.kafka;

import dev.switchboard.messaging.spi.WireHeaders;
import dev.switchboard.messaging.spi.WireMessage;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.jspecify.annotations.Nullable;

/**
 * Maps a {@link WireMessage} to a Kafka record and back. The envelope travels as Kafka headers with
 * UTF-8 values, the key as the record key, and the body as the record value, untouched.
 */
final class RecordCodec {
  /** Dead letters and redeliveries: the topic of the record that first failed. */
  static final String ORIGIN_TOPIC = "sb_failure_origin_topic";

  /** Dead letters and redeliveries: the partition of the record that first failed. */
  static final String ORIGIN_PARTITION = "sb_failure_origin_partition";

  /** Dead letters and redeliveries: the offset of the record that first failed. */
  static final String ORIGIN_OFFSET = "sb_failure_origin_offset";

  private static final byte[] EMPTY = new byte[0];

  private RecordCodec() {}

  /** A message read back from a record, with what could not be read. */
  record Decoded(WireMessage message, List<String> problems) {}

  static ProducerRecord<byte[], byte[]> toRecord(
      String topic, WireMessage message, Map<String, String> extraHeaders, @Nullable Long time) {
    RecordHeaders headers = new RecordHeaders();
    WireHeaders.write(
        message.envelope(), WireHeaders.Key.NATIVE, (k, v) -> headers.add(k, utf8(v)));
    extraHeaders.forEach(
        (k, v) -> {
          headers.remove(k);
          headers.add(k, utf8(v));
        });
    byte[] key = message.envelope().key().map(RecordCodec::utf8).orElse(null);
    return new ProducerRecord<>(topic, null, time, key, message.body(), headers);
  }

  /** Decodes a record read now; see {@link #decode(ConsumerRecord, long)}. */
  static Decoded decode(ConsumerRecord<byte[], byte[]> record) {
    return decode(record, timeOf(record));
  }

  /** The record's timestamp, or now when it has none (the clock is read only then). */
  static long timeOf(ConsumerRecord<?, ?> record) {
    return record.timestamp() >= 0 ? record.timestamp() : System.currentTimeMillis();
  }

  /**
   * Decodes a record; the same record and time always give an equal result. A record without a
   * timestamp takes {@code receivedMillis} as its time, and one without an id its {@link
   * #stableId}.
   */
  static Decoded decode(ConsumerRecord<byte[], byte[]> record, long receivedMillis) {
    List<String> problems = new ArrayList<>(0);
    Map<String, String> headers = new LinkedHashMap<>();
    for (Header h : record.headers()) {
      if (h.value() == null) {
        headers.put(h.key(), "");
        continue;
      }
      String value = WireHeaders.utf8(h.value());
      if (value == null) {
        problems.add("header " + h.key() + " is not valid UTF-8");
      } else {
        headers.put(h.key(), value);
      }
    }
    String key = null;
    if (record.key() != null) {
      key = WireHeaders.utf8(record.key());
      if (key == null) {
        problems.add("record key is not valid UTF-8");
      }
    }
    String id = headers.get(WireHeaders.ID);
    if (id == null || id.isEmpty()) {
      headers.put(WireHeaders.ID, stableId(record));
    }
    Instant fallback =
        Instant.ofEpochMilli(record.timestamp() >= 0 ? record.timestamp() : receivedMillis);
    WireHeaders.Read read = WireHeaders.read(headers, key, fallback);
    problems.addAll(read.problems());
    byte[] body = record.value() != null ? record.value() : EMPTY;
    return new Decoded(new WireMessage(read.envelope(), body), problems);
  }

  /**
   * The id of a record that carries none: a name-based UUID of its topic, partition, offset,
   * timestamp and leader epoch. Every delivery of the record gives the same id, so a consumer that
   * deduplicates on it, the delivery count of a share group and the memory of a refused dead letter
   * all recognise the record again; a record that takes the same offset later, after its topic was
   * deleted and created again or after an unclean leader election, differs in its timestamp or its
   * epoch and so in its id.
   */
  static String stableId(ConsumerRecord<?, ?> record) {
    String name =
        record.topic()
            + '\n'
            + record.partition()
            + '\n'
            + record.offset()
            + '\n'
            + record.timestamp()
            + '\n'
            + record.leaderEpoch().map(String::valueOf).orElse("-");
    return UUID.nameUUIDFromBytes(name.getBytes(StandardCharsets.UTF_8)).toString();
  }

  /** Headers naming where a failed record came from, unless the message already names it. */
  static Map<String, String> originHeaders(
      WireMessage message, String topic, int partition, long offset) {
    if (message.envelope().headers().containsKey(ORIGIN_PARTITION)) {
      return Map.of();
    }
    return Map.of(
        ORIGIN_TOPIC, topic,
        ORIGIN_PARTITION, Integer.toString(partition),
        ORIGIN_OFFSET, Long.toString(offset));
  }

  /** The size the record will have on the wire, near enough for an error message. */
  static int approximateSize(ProducerRecord<byte[], byte[]> record) {
    long size = record.value() != null ? record.value().length : 0;
    size += record.key() != null ? record.key().length : 0;
    for (Header h : record.headers()) {
      size += h.key().length() + (h.value() != null ? h.value().length : 0);
    }
    return (int) Math.min(Integer.MAX_VALUE, size);
  }

  private static byte[] utf8(String value) {
    return value.getBytes(StandardCharsets.UTF_8);
  }
}
