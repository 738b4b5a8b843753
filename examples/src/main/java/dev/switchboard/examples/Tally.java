package dev.switchboard.examples;

import dev.switchboard.messaging.Envelope;
import dev.switchboard.messaging.Failure;
import dev.switchboard.messaging.MessagingListener;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A listener that counts what the examples provoke on purpose (failing handlers, dead letters, late
 * replies) instead of logging each one at WARN: the demo reports them in its own words. The
 * toolkit's own errors are still logged, through the default method.
 */
final class Tally implements MessagingListener {
  private static final Logger LOG = LoggerFactory.getLogger(Tally.class);

  private final Map<String, LongAdder> handlerFailures = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> deadLettered = new ConcurrentHashMap<>();
  private final LongAdder droppedReplies = new LongAdder();

  @Override
  public void handlerFailed(
      String destination, String group, Envelope envelope, Throwable error, String outcome) {
    count(handlerFailures, destination);
    LOG.debug(
        "handler failed on {} group {} for {} attempt {}; {}",
        destination,
        group,
        envelope.id(),
        envelope.attempt(),
        outcome,
        error);
  }

  @Override
  public void deadLettered(String destination, String group, Envelope envelope, Failure failure) {
    count(deadLettered, destination);
    LOG.debug("dead-lettered {} from {} group {}: {}", envelope.id(), destination, group, failure);
  }

  @Override
  public void replyDropped(Envelope reply, String why) {
    droppedReplies.increment();
    LOG.debug("dropped reply {}: {}", reply.id(), why);
  }

  long handlerFailures(String destination) {
    return read(handlerFailures, destination);
  }

  long deadLettered(String destination) {
    return read(deadLettered, destination);
  }

  long droppedReplies() {
    return droppedReplies.sum();
  }

  private static void count(Map<String, LongAdder> counters, String destination) {
    counters.computeIfAbsent(destination, d -> new LongAdder()).increment();
  }

  private static long read(Map<String, LongAdder> counters, String destination) {
    LongAdder n = counters.get(destination);
    return n == null ? 0 : n.sum();
  }
}
