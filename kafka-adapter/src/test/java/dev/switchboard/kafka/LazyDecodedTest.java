package dev.switchboard.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

class LazyDecodedTest {

  private static ConsumerRecord<byte[], byte[]> plainRecord(long offset, long timestamp) {
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
        new RecordHeaders(),
        Optional.empty());
  }

  @Test
  void aRecordWithoutAnId_getsItsPositionAsId_onEveryDecode() {
    ConsumerRecord<byte[], byte[]> r = plainRecord(42, 1_700_000_000_000L);
    String first = RecordCodec.decode(r).message().envelope().id();
    String again = RecordCodec.decode(r).message().envelope().id();
    assertThat(first).isEqualTo("orders-3@42").isEqualTo(again);
  }

  @Test
  void aRecordWithoutATimestamp_takesTheTimeItWasReceived_everyTimeItIsDecoded() {
    ConsumerRecord<byte[], byte[]> r = plainRecord(1, -1);
    LazyDecoded lazy = new LazyDecoded(r);
    assertThat(lazy.get().message().envelope().time())
        .isEqualTo(lazy.get().message().envelope().time());
  }

  @Test
  void threadsDecodingAtOnce_allSeeTheSameResult() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      for (int round = 0; round < 200; round++) {
        LazyDecoded lazy = new LazyDecoded(plainRecord(round, 1_700_000_000_000L));
        CyclicBarrier start = new CyclicBarrier(4);
        List<CompletableFuture<RecordCodec.Decoded>> results = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
          results.add(
              CompletableFuture.supplyAsync(
                  () -> {
                    try {
                      start.await();
                    } catch (Exception e) {
                      throw new IllegalStateException(e);
                    }
                    return lazy.get();
                  },
                  pool));
        }
        RecordCodec.Decoded winner = results.get(0).get();
        for (CompletableFuture<RecordCodec.Decoded> f : results) {
          assertThat(f.get()).isSameAs(winner);
        }
      }
    } finally {
      pool.shutdownNow();
    }
  }
}
