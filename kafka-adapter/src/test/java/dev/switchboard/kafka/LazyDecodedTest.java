package dev.switchboard.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;

class LazyDecodedTest {

  @Test
  void aRecordWithoutATimestamp_takesTheTimeTheDeliveryWasMade() {
    long before = System.currentTimeMillis();
    LazyDecoded lazy = new LazyDecoded(RecordCodecTest.plainRecord(1, -1));
    long after = System.currentTimeMillis();
    Instant time = lazy.get().message().envelope().time();
    assertThat(time.toEpochMilli()).isBetween(before, after);
  }

  @Test
  void threadsDecodingAtOnce_allGetTheSameResult() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      for (int round = 0; round < 200; round++) {
        LazyDecoded lazy = new LazyDecoded(RecordCodecTest.plainRecord(round, 1_700_000_000_000L));
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
