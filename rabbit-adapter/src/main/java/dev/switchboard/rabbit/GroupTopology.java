package dev.switchboard.rabbit;

import dev.switchboard.messaging.spi.ConsumerSpec;
import dev.switchboard.messaging.spi.Destination;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import org.jspecify.annotations.Nullable;

/**
 * The queues of one consumer group: its own queue, its dead-letter queue and one wait queue per
 * delay level (keyed by the level in milliseconds).
 */
record GroupTopology(
    ConsumerSpec spec,
    String queue,
    Route groupRoute,
    Route deadLetterRoute,
    NavigableMap<Long, Route> waitRoutes,
    List<Topology.Decl> declarations) {

  /**
   * The wait queue for {@code delay}: the smallest level not shorter than it, else the longest;
   * null when the group has no levels at all.
   */
  @Nullable Route waitRouteFor(Duration delay) {
    if (waitRoutes.isEmpty()) {
      return null;
    }
    long millis =
        delay.compareTo(Topology.MAX_DELAY) > 0 ? Long.MAX_VALUE : Topology.delayMillis(delay);
    Map.Entry<Long, Route> level = waitRoutes.ceilingEntry(millis);
    return level != null ? level.getValue() : waitRoutes.lastEntry().getValue();
  }

  String describe() {
    if (spec.destination().kind() == Destination.Kind.QUEUE) {
      return "queue '" + queue + "'";
    }
    return "topic '"
        + spec.destination().name()
        + "' group '"
        + spec.group()
        + "' (queue '"
        + queue
        + "')";
  }
}
