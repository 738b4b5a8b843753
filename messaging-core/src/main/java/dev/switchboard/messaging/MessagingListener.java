package dev.switchboard.messaging;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hears about failures that happen away from the caller: a handler that threw, a message sent to
 * the dead-letter queue, a reply nobody waited for, the toolkit's own errors. Every method has a
 * default that logs; override the ones you want to route elsewhere (metrics, alerts).
 *
 * <p>Called on consumer threads: implementations must be thread-safe and quick. A listener that
 * throws is logged and otherwise ignored; it never stops a consumer.
 */
public interface MessagingListener {
  Logger LOG = LoggerFactory.getLogger(MessagingListener.class);

  /** A handler threw; {@code outcome} says what happens next (retry in 200 ms, dead-letter). */
  default void handlerFailed(
      String destination, String group, Envelope envelope, Throwable error, String outcome) {
    LOG.warn(
        "handler failed on {} group {} for message {} attempt {}; {}",
        destination,
        group,
        envelope.id(),
        envelope.attempt(),
        outcome,
        error);
  }

  /** A message was confirmed in the group's dead-letter queue. */
  default void deadLettered(String destination, String group, Envelope envelope, Failure failure) {
    LOG.warn(
        "dead-lettered message {} from {} group {}: {} {} after {} attempt(s); inspect it with"
            + " Messaging.deadLetters(..).browse and redrive it once fixed",
        envelope.id(),
        destination,
        group,
        failure.reason(),
        failure.rootCauseClass(),
        failure.attempts());
  }

  /** A reply arrived that no pending request was waiting for (late, duplicate or unknown). */
  default void replyDropped(Envelope reply, String why) {
    LOG.debug("dropped reply {} correlation {}: {}", reply.id(), reply.correlationId(), why);
  }

  /** The toolkit itself failed at {@code what}; the message concerned is not lost. */
  default void toolkitError(String what, Throwable error) {
    LOG.error("{}", what, error);
  }

  /** A listener that only logs. */
  static MessagingListener logging() {
    return new MessagingListener() {};
  }
}
