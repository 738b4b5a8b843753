package dev.switchboard.kafka;

import dev.switchboard.messaging.PublishException;
import dev.switchboard.messaging.TransportException;
import dev.switchboard.messaging.spi.DeadLetterStore;
import dev.switchboard.messaging.spi.WireMessage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * The dead-letter topic of one group, read without a consumer group.
 *
 * <p>Kafka cannot delete single records, so "removed" means "marked as moved": the consumer group
 * {@code <destination>.<group>.dlt.moved} (never joined by any member) holds, per partition of the
 * dead-letter topic, a committed offset below which every record has been moved, and in the commit
 * metadata the moved offsets above it (see {@link OffsetRanges}). Browsing and counting skip what
 * is marked. Moving publishes to the group's redrive topic, waits for the broker's acknowledgement,
 * and only then marks. Moves within one transport are serialized; two processes moving the same
 * dead letters at once may both move a record (at-least-once).
 */
final class KafkaDeadLetterStore implements DeadLetterStore {
  /** Stay under the broker's default 4096-byte limit on offset metadata. */
  private static final int METADATA_BUDGET = 3000;

  private final GroupRoutes routes;
  private final String movedGroup;
  private final TopicAdmin admin;
  private final KafkaSettings settings;

  KafkaDeadLetterStore(GroupRoutes routes, TopicAdmin admin, KafkaSettings settings) {
    this.routes = routes;
    this.movedGroup = TopicNames.movedGroup(routes.destination(), routes.group());
    this.admin = admin;
    this.settings = settings;
  }

  /** Where one partition stands: the first offset not moved, and moved offsets above it. */
  private static final class Mark {
    long floor;
    final long end;
    final OffsetRanges moved;

    Mark(long floor, long end, OffsetRanges moved) {
      this.floor = floor;
      this.end = end;
      this.moved = moved;
    }
  }

  private record Scan(
      List<ConsumerRecord<byte[], byte[]>> records, Map<TopicPartition, Mark> marks) {}

  @Override
  public List<WireMessage> browse(int limit) {
    List<WireMessage> out = new ArrayList<>();
    for (ConsumerRecord<byte[], byte[]> r : scan(limit).records()) {
      out.add(RecordCodec.decode(r).message());
    }
    return out;
  }

  @Override
  public synchronized int move(int scanLimit, Function<WireMessage, Optional<WireMessage>> decide) {
    Scan scan = scan(scanLimit);
    Map<ConsumerRecord<byte[], byte[]>, CompletableFuture<Void>> sent = new HashMap<>();
    for (ConsumerRecord<byte[], byte[]> r : scan.records()) {
      Mark mark = scan.marks().get(new TopicPartition(r.topic(), r.partition()));
      OffsetRanges trial = mark.moved.copy();
      trial.add(r.offset());
      if (trial.fitting(mark.floor, METADATA_BUDGET).size() != trial.size()) {
        // The marks would not fit in the commit metadata; the rest waits for the next move.
        break;
      }
      Optional<WireMessage> back = decide.apply(RecordCodec.decode(r).message());
      if (back.isPresent()) {
        sent.put(r, routes.redrive(back.get()));
        mark.moved.add(r.offset());
      }
    }
    int moved = 0;
    Throwable failure = null;
    long deadline = System.nanoTime() + settings.deliveryTimeout().toNanos();
    for (Map.Entry<ConsumerRecord<byte[], byte[]>, CompletableFuture<Void>> e : sent.entrySet()) {
      try {
        e.getValue().get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        moved++;
      } catch (InterruptedException ex) {
        Thread.currentThread().interrupt();
        failure = ex;
        unmark(scan, e.getKey());
      } catch (ExecutionException | TimeoutException ex) {
        failure = TopicAdmin.unwrap(ex);
        unmark(scan, e.getKey());
      }
    }
    if (!sent.isEmpty()) {
      commitMarks(scan.marks());
    }
    if (failure != null) {
      throw new PublishException(
          "moved "
              + moved
              + " of "
              + sent.size()
              + " dead letters of "
              + routes.deadLetterTopic()
              + "; the others stay and can be moved again",
          failure);
    }
    return moved;
  }

  @Override
  public long count() {
    Map<TopicPartition, Mark> marks = marks(admin.partitions(routes.deadLetterTopic()));
    long n = 0;
    for (Mark m : marks.values()) {
      n += Math.max(0, m.end - m.floor) - m.moved.countBelow(m.end);
    }
    return Math.max(0, n);
  }

  private static void unmark(Scan scan, ConsumerRecord<byte[], byte[]> r) {
    scan.marks().get(new TopicPartition(r.topic(), r.partition())).moved.remove(r.offset());
  }

  private void commitMarks(Map<TopicPartition, Mark> marks) {
    Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
    for (Map.Entry<TopicPartition, Mark> e : marks.entrySet()) {
      Mark m = e.getValue();
      long floor = m.floor;
      while (floor < m.end && m.moved.contains(floor)) {
        floor++;
      }
      m.moved.removeBelow(floor);
      offsets.put(e.getKey(), new OffsetAndMetadata(floor, m.moved.encode(floor)));
    }
    admin.commitGroupOffsets(movedGroup, offsets);
  }

  private Map<TopicPartition, Mark> marks(List<TopicPartition> parts) {
    Map<TopicPartition, OffsetAndMetadata> committed = admin.groupOffsets(movedGroup);
    Map<TopicPartition, Long> starts = admin.startOffsets(parts);
    Map<TopicPartition, Long> ends = admin.endOffsets(parts);
    Map<TopicPartition, Mark> marks = new HashMap<>();
    for (TopicPartition tp : parts) {
      long start = starts.getOrDefault(tp, 0L);
      OffsetAndMetadata c = committed.get(tp);
      long floor = c == null ? start : Math.max(start, c.offset());
      OffsetRanges moved =
          c == null ? new OffsetRanges() : OffsetRanges.decode(c.metadata(), c.offset());
      moved.removeBelow(floor);
      marks.put(tp, new Mark(floor, ends.getOrDefault(tp, 0L), moved));
    }
    return marks;
  }

  /** Up to {@code limit} unmoved dead letters, oldest first, and the marks they were read with. */
  private Scan scan(int limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be >= 1, was " + limit);
    }
    String topic = routes.deadLetterTopic();
    List<TopicPartition> parts = admin.partitions(topic);
    Map<TopicPartition, Mark> marks = marks(parts);
    Map<TopicPartition, List<ConsumerRecord<byte[], byte[]>>> found = new HashMap<>();
    Set<TopicPartition> open = new HashSet<>();
    for (TopicPartition tp : parts) {
      found.put(tp, new ArrayList<>());
      if (marks.get(tp).floor < marks.get(tp).end) {
        open.add(tp);
      }
    }
    if (!open.isEmpty()) {
      try (KafkaConsumer<byte[], byte[]> c =
          new KafkaConsumer<>(settings.assignedConsumerConfig("dlt-browse"))) {
        c.assign(open);
        open.forEach(tp -> c.seek(tp, marks.get(tp).floor));
        long deadline = System.nanoTime() + settings.operationTimeout().toNanos();
        while (!open.isEmpty()) {
          if (System.nanoTime() > deadline) {
            throw new TransportException(
                "could not read dead-letter topic " + topic + " within " + operationTimeout());
          }
          for (ConsumerRecord<byte[], byte[]> r : c.poll(settings.pollTimeout())) {
            TopicPartition tp = new TopicPartition(r.topic(), r.partition());
            Mark m = marks.get(tp);
            List<ConsumerRecord<byte[], byte[]>> list = found.get(tp);
            if (r.offset() < m.end && !m.moved.contains(r.offset()) && list.size() < limit) {
              list.add(r);
            }
          }
          for (TopicPartition tp : List.copyOf(open)) {
            if (found.get(tp).size() >= limit || c.position(tp) >= marks.get(tp).end) {
              open.remove(tp);
              c.pause(List.of(tp));
            }
          }
        }
      }
    }
    List<ConsumerRecord<byte[], byte[]>> all = new ArrayList<>();
    found.values().forEach(all::addAll);
    all.sort(
        Comparator.<ConsumerRecord<byte[], byte[]>>comparingLong(ConsumerRecord::timestamp)
            .thenComparingInt(ConsumerRecord::partition)
            .thenComparingLong(ConsumerRecord::offset));
    return new Scan(all.size() > limit ? List.copyOf(all.subList(0, limit)) : all, marks);
  }

  private Duration operationTimeout() {
    return settings.operationTimeout();
  }
}
