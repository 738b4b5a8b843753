package dev.switchboard.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class PartitionLedgerTest {
  private final PartitionLedger ledger =
      new PartitionLedger(new TopicPartition("t", 0), 100, new OffsetRanges(), Runnable::run);

  @Test
  void commitPoint_staysAtTheLowestUnsettledOffset_andHigherSettledOnesTravelInMetadata() {
    for (long o = 100; o < 105; o++) {
      ledger.fetched(o);
    }
    CompletableFuture<Void> a = ledger.settle(100).toCompletableFuture();
    CompletableFuture<Void> c = ledger.settle(102).toCompletableFuture();
    ledger.settle(103).toCompletableFuture();

    PartitionLedger.Commit commit = ledger.nextCommit(false).orElseThrow();
    assertThat(commit.offset().offset()).isEqualTo(101);
    assertThat(commit.offset().metadata()).isEqualTo("sb1:1-2");
    assertThat(ledger.nextCommit(false)).isEmpty();

    ledger.committed(commit);
    assertThat(a).isCompleted();
    assertThat(c).isCompleted();
  }

  @Test
  void offsetsSettledBeforeARestart_areSkippedWhenFetchedAgain() {
    PartitionLedger restarted =
        new PartitionLedger(
            new TopicPartition("t", 0), 101, OffsetRanges.decode("sb1:1-2", 101), Runnable::run);

    assertThat(restarted.fetched(101)).isTrue();
    assertThat(restarted.fetched(102)).isFalse();
    assertThat(restarted.fetched(103)).isFalse();
    assertThat(restarted.fetched(104)).isTrue();
  }

  @Test
  void aPollsRecords_skipThoseSettledBeforeARestart_andMoveTheCommitPointPastTheRest() {
    PartitionLedger restarted =
        new PartitionLedger(
            new TopicPartition("t", 0), 101, OffsetRanges.decode("sb1:1-2", 101), Runnable::run);
    List<ConsumerRecord<byte[], byte[]>> poll = new ArrayList<>();
    for (long o = 101; o < 106; o++) {
      poll.add(RecordCodecTest.plainRecord(o, 1_700_000_000_000L));
    }

    List<ConsumerRecord<byte[], byte[]>> fresh = restarted.fetched(poll);

    assertThat(fresh).extracting(ConsumerRecord::offset).containsExactly(101L, 104L, 105L);
    assertThat(restarted.unsettled()).isEqualTo(3);
    fresh.forEach(r -> restarted.settle(r.offset()));
    assertThat(restarted.nextCommit(false).orElseThrow().offset().offset()).isEqualTo(106);
  }

  @Test
  void anOffsetSettledTwice_completesBothAcknowledgementsAtTheCommit() {
    ledger.fetched(100);
    CompletableFuture<Void> first = ledger.settle(100).toCompletableFuture();
    CompletableFuture<Void> second = ledger.settle(100).toCompletableFuture();

    ledger.committed(ledger.nextCommit(false).orElseThrow());

    assertThat(first).isCompleted();
    assertThat(second).isCompleted();
  }

  @Test
  void rewind_waitsForRecordsOut_thenReturnsTheLowestUnsettledOffset() {
    for (long o = 100; o < 104; o++) {
      ledger.fetched(o);
    }
    ledger.settle(100).toCompletableFuture();
    assertThat(ledger.handOutUnlessRewinding(1, () -> {})).isTrue();
    assertThat(ledger.handOutUnlessRewinding(1, () -> {})).isTrue();
    CompletableFuture<Void> released = ledger.requestRewind();
    ledger.returned();

    assertThat(ledger.handOutUnlessRewinding(1, () -> {})).isFalse();
    assertThat(ledger.rewindPoint()).isEmpty();
    ledger.settle(102).toCompletableFuture();
    ledger.returned();
    assertThat(ledger.rewindPoint()).contains(101L);
    ledger.rewound();
    assertThat(released).isCompleted();
    assertThat(ledger.fetched(101)).isTrue();
    assertThat(ledger.fetched(102)).isFalse();
  }

  @Test
  void revoke_failsAcknowledgementsNoCommitCovered_andTheCommitPointNeverMovesBack() {
    ledger.fetched(100);
    ledger.fetched(101);
    CompletableFuture<Void> first = ledger.settle(100).toCompletableFuture();
    PartitionLedger.Commit commit = ledger.nextCommit(false).orElseThrow();
    ledger.committed(commit);
    CompletableFuture<Void> second = ledger.settle(101).toCompletableFuture();

    ledger.revoke();

    assertThat(first).isCompleted();
    assertThat(second).isCompletedExceptionally();
    assertThat(ledger.settle(101).toCompletableFuture()).isCompletedExceptionally();
    assertThat(ledger.commitPointForTest()).isGreaterThanOrEqualTo(commit.offset().offset());
  }

  @Test
  void acknowledgementsOneCommitCovers_completeInOneTaskOffTheCommittingThread_inOrderWithRevoke() {
    List<Runnable> tasks = new ArrayList<>();
    PartitionLedger batched =
        new PartitionLedger(new TopicPartition("t", 0), 100, new OffsetRanges(), tasks::add);
    for (long o = 100; o < 104; o++) {
      batched.fetched(o);
    }
    CompletableFuture<Void> a = batched.settle(100).toCompletableFuture();
    CompletableFuture<Void> b = batched.settle(101).toCompletableFuture();
    CompletableFuture<Void> late = batched.settle(103).toCompletableFuture();
    batched.committed(
        new PartitionLedger.Commit(new OffsetAndMetadata(102, ""), new OffsetRanges()));
    batched.revoke();

    assertThat(List.of(a, b, late)).noneMatch(CompletableFuture::isDone);
    assertThat(tasks).hasSize(2);
    tasks.get(0).run();
    assertThat(a).isCompleted();
    assertThat(b).isCompleted();
    assertThat(late).isNotDone();
    tasks.get(1).run();
    assertThat(late).isCompletedExceptionally();
  }

  @Test
  void theStageSettleReturns_cannotBeCompletedByItsCaller() {
    ledger.fetched(100);
    CompletionStage<Void> stage = ledger.settle(100);

    assertThatThrownBy(() -> ((CompletableFuture<Void>) stage).complete(null))
        .isInstanceOf(UnsupportedOperationException.class);
  }
}
