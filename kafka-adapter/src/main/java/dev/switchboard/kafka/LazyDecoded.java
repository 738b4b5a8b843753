package dev.switchboard.kafka;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.jspecify.annotations.Nullable;

/**
 * A record's decoded message, worked out on first use: on the worker thread that handles it rather
 * than on the poll thread that fetched it. Decoded once only, because decoding a record without an
 * id makes one up and every caller must see the same one.
 */
final class LazyDecoded {
  private final ConsumerRecord<byte[], byte[]> record;
  private volatile RecordCodec.@Nullable Decoded decoded;

  LazyDecoded(ConsumerRecord<byte[], byte[]> record) {
    this.record = record;
  }

  RecordCodec.Decoded get() {
    RecordCodec.Decoded d = decoded;
    if (d == null) {
      synchronized (this) {
        d = decoded;
        if (d == null) {
          d = RecordCodec.decode(record);
          decoded = d;
        }
      }
    }
    return d;
  }
}
