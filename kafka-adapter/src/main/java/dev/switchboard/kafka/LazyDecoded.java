package dev.switchboard.kafka;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.jspecify.annotations.Nullable;

/**
 * A record's decoded message, worked out on first use: on the worker thread that handles the
 * record, not on the poll thread that fetched it.
 *
 * <p>Design: no lock. Decoding is a pure function of the record and the time it was received (a
 * record without an id gets {@link RecordCodec#positionId its position} as id, never a random one),
 * so threads that decode the same record at once get equal results; the first to publish its result
 * wins and every caller sees that one.
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
    // Only read when the record has no timestamp of its own.
    this.receivedMillis = record.timestamp() >= 0 ? record.timestamp() : System.currentTimeMillis();
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
