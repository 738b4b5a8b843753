package dev.switchboard.kafka;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.jspecify.annotations.Nullable;

/**
 * A record's decoded message, worked out on first use: on the worker thread that handles the
 * record, not on the poll thread that fetched it.
 *
 * <p>Design: no lock. Threads that decode the same record at once each decode it, and the first to
 * publish its result wins: every caller sees that one. The decode itself is deterministic as well
 * (a record without an id gets {@link RecordCodec#stableId}, one without a timestamp the time this
 * object was made), so a result dropped in that race is equal to the one kept.
 */
final class LazyDecoded {
  private static final VarHandle DECODED;

  static {
    try {
      DECODED =
          MethodHandles.lookup()
              .findVarHandle(LazyDecoded.class, "decoded", RecordCodec.Decoded.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final ConsumerRecord<byte[], byte[]> record;
  private final long receivedMillis;
  private volatile RecordCodec.@Nullable Decoded decoded;

  LazyDecoded(ConsumerRecord<byte[], byte[]> record) {
    this.record = record;
    this.receivedMillis = RecordCodec.timeOf(record);
  }

  RecordCodec.Decoded get() {
    RecordCodec.Decoded d = decoded;
    if (d != null) {
      return d;
    }
    d = RecordCodec.decode(record, receivedMillis);
    RecordCodec.Decoded first = (RecordCodec.Decoded) DECODED.compareAndExchange(this, null, d);
    return first != null ? first : d;
  }
}
