package dev.switchboard.kafka;

import dev.switchboard.messaging.spi.WireMessage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;

/**
 * The private topics of one group on one destination, and publishing to them: one retry topic per
 * delay level, a redrive topic for dead letters moved back, and a dead-letter topic. Only the group
 * itself reads its retry and redrive topics, so nothing published here reaches other groups of the
 * destination.
 */
final class GroupRoutes {
  /** Used when the consumer declares no delay levels. */
  static final List<Duration> DEFAULT_LEVELS =
      List.of(Duration.ofSeconds(1), Duration.ofSeconds(10), Duration.ofMinutes(1));

  private final String destination;
  private final String group;
  private final NavigableMap<Long, String> levels = new TreeMap<>();
  private final String redrive;
  private final String deadLetter;
  private final Publisher publisher;

  GroupRoutes(String destination, String group, List<Duration> delays, Publisher publisher) {
    this.destination = destination;
    this.group = group;
    this.publisher = publisher;
    for (Duration d : delays.isEmpty() ? DEFAULT_LEVELS : delays) {
      if (d.isNegative()) {
        throw new IllegalArgumentException("redelivery delay must not be negative, was " + d);
      }
      levels.put(d.toMillis(), TopicNames.retry(destination, group, d));
    }
    this.redrive = TopicNames.redrive(destination, group);
    this.deadLetter = TopicNames.deadLetter(destination, group);
  }

  String destination() {
    return destination;
  }

  String group() {
    return group;
  }

  String deadLetterTopic() {
    return deadLetter;
  }

  String redriveTopic() {
    return redrive;
  }

  /** The retry topic for a requested delay: the smallest level not shorter, else the longest. */
  String retryTopic(Duration delay) {
    Map.Entry<Long, String> e = levels.ceilingEntry(Math.max(0, delay.toMillis()));
    return e != null ? e.getValue() : levels.lastEntry().getValue();
  }

  /** Every topic a consumer of this group reads besides the destination, with its delay. */
  Map<String, Long> delayedInputs() {
    Map<String, Long> out = new LinkedHashMap<>();
    levels.forEach((ms, topic) -> out.put(topic, ms));
    out.put(redrive, 0L);
    return out;
  }

  /** Every topic this group needs, for creation or checking. */
  List<String> topics() {
    List<String> all = new ArrayList<>(levels.values());
    all.add(redrive);
    all.add(deadLetter);
    return all;
  }

  /** Publishes {@code next} to the retry topic for {@code delay}, stamped now. */
  CompletableFuture<Void> redeliver(
      WireMessage next, Duration delay, String topic, int partition, long offset) {
    Map<String, String> origin = RecordCodec.originHeaders(next, topic, partition, offset);
    return publisher.send(
        RecordCodec.toRecord(retryTopic(delay), next, origin, System.currentTimeMillis()));
  }

  /** Publishes a dead letter, naming the record it came from unless the message already does. */
  CompletableFuture<Void> deadLetter(
      WireMessage message, String topic, int partition, long offset) {
    Map<String, String> origin = RecordCodec.originHeaders(message, topic, partition, offset);
    return publisher.send(RecordCodec.toRecord(deadLetter, message, origin, null));
  }

  /** Publishes a message to this group's redrive topic, for immediate delivery to the group. */
  CompletableFuture<Void> redrive(WireMessage message) {
    return publisher.send(RecordCodec.toRecord(redrive, message, Map.of(), null));
  }
}
