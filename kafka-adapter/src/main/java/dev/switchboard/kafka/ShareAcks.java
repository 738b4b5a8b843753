package dev.switchboard.kafka;

import dev.switchboard.messaging.TransportException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.AcknowledgeType;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ShareConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicIdPartition;
import org.jspecify.annotations.Nullable;

/**
 * Acknowledges records through a share consumer and tells, per delivery, what the broker answered.
 * Used by {@link ShareLoop} on its poll thread only.
 *
 * <p>Why in rounds: a poll can return one offset several times, when a batch fetched earlier sat in
 * the consumer's buffer until its locks lapsed and the broker then handed the same records out
 * again in a later batch. The consumer applies an acknowledgement to the first copy it still has in
 * flight, and it refuses the next poll while any copy is unacknowledged, so every copy needs an
 * acknowledgement of its own, each in a commit of its own. The first round carries the delivery's
 * own acknowledgement, and its outcome is the delivery's. Later rounds renew the remaining copies:
 * the broker knows one lock per offset, so such a renewal either extends the same lock again or is
 * refused because the record is settled, and neither changes the record's fate.
 */
final class ShareAcks {
  /** What the broker answered for one delivery's acknowledgement. */
  record Outcome(@Nullable Exception refusal, @Nullable Exception unknown) {
    static final Outcome CONFIRMED = new Outcome(null, null);

    boolean confirmed() {
      return refusal == null && unknown == null;
    }
  }

  private ShareAcks() {}

  /**
   * Acknowledges every copy in flight of each delivery: the first with its type in {@code acks},
   * the others with {@link AcknowledgeType#RENEW}. Afterwards no delivery has a copy left
   * unacknowledged. A copy the consumer no longer has counts as refused.
   */
  static Map<ShareDelivery, Outcome> send(
      ShareConsumer<byte[], byte[]> consumer,
      Map<ShareDelivery, AcknowledgeType> acks,
      Duration timeout) {
    Map<ShareDelivery, Outcome> outcomes = new HashMap<>();
    List<ShareDelivery> pending = new ArrayList<>(acks.keySet());
    boolean first = true;
    while (!pending.isEmpty()) {
      List<ShareDelivery> sent = new ArrayList<>();
      for (ShareDelivery d : pending) {
        AcknowledgeType type = first ? acks.get(d) : AcknowledgeType.RENEW;
        try {
          consumer.acknowledge(d.current, type);
          sent.add(d);
          d.unacknowledged--;
        } catch (IllegalStateException e) {
          // The consumer does not have the record in flight (any more): nothing to acknowledge.
          d.unacknowledged = 0;
          outcomes.putIfAbsent(d, new Outcome(e, null));
        }
      }
      Map<ShareDelivery, Outcome> round = commit(consumer, sent, timeout);
      if (first) {
        round.forEach(outcomes::putIfAbsent);
      }
      first = false;
      pending.removeIf(d -> d.unacknowledged <= 0);
    }
    return outcomes;
  }

  /** The copy the broker acquired last: the live one when a poll returned an offset twice. */
  static ConsumerRecord<byte[], byte[]> newest(List<ConsumerRecord<byte[], byte[]>> copies) {
    ConsumerRecord<byte[], byte[]> newest = copies.get(0);
    for (ConsumerRecord<byte[], byte[]> r : copies) {
      if (r.deliveryCount().orElse((short) 0) > newest.deliveryCount().orElse((short) 0)) {
        newest = r;
      }
    }
    return newest;
  }

  /** The failure of a settlement the broker refused. */
  static TransportException refused(ShareDelivery d, AcknowledgeType type, Exception refusal) {
    ConsumerRecord<byte[], byte[]> r = d.current;
    return new TransportException(
        "the broker refused the "
            + type
            + " of "
            + r.topic()
            + "-"
            + r.partition()
            + "@"
            + r.offset()
            + "; it will be delivered again",
        refusal);
  }

  private static Map<ShareDelivery, Outcome> commit(
      ShareConsumer<byte[], byte[]> consumer, List<ShareDelivery> sent, Duration timeout) {
    Map<ShareDelivery, Outcome> outcomes = new HashMap<>();
    if (sent.isEmpty()) {
      return outcomes;
    }
    Map<TopicIdPartition, Optional<KafkaException>> results;
    try {
      results = consumer.commitSync(timeout);
    } catch (KafkaException e) {
      // The acknowledgements left the consumer; whether the broker applied them is not known.
      sent.forEach(d -> outcomes.put(d, new Outcome(null, e)));
      return outcomes;
    }
    for (ShareDelivery d : sent) {
      Exception refusal = refusalFor(results, d.current);
      outcomes.put(d, refusal == null ? Outcome.CONFIRMED : new Outcome(refusal, null));
    }
    return outcomes;
  }

  private static @Nullable Exception refusalFor(
      Map<TopicIdPartition, Optional<KafkaException>> results, ConsumerRecord<byte[], byte[]> r) {
    for (Map.Entry<TopicIdPartition, Optional<KafkaException>> e : results.entrySet()) {
      if (e.getKey().partition() == r.partition() && r.topic().equals(e.getKey().topic())) {
        return e.getValue().orElse(null);
      }
    }
    return null;
  }
}
