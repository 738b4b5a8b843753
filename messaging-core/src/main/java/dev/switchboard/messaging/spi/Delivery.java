package dev.switchboard.messaging.spi;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * One received message, held by the consumer until it is settled. The core calls one settling
 * method per delivery; only after a {@link #redeliver} or {@link #deadLetter} whose stage failed
 * (so nothing was acknowledged) may it call {@link #deadLetter} again or {@link #release}.
 *
 * <p>Settling methods may be called from any thread. Each returns a stage that completes when the
 * broker has the outcome; when it fails, the message is still held by the broker and will be
 * delivered again (at-least-once), so nothing is lost.
 */
public interface Delivery {
  /** The message as decoded from the wire; the envelope's attempt is the attempt on the wire. */
  WireMessage message();

  /**
   * Headers the transport could not read (a garbled attempt or deadline, invalid UTF-8), each as a
   * short description. A delivery with problems is dead-lettered, never handled.
   */
  List<String> problems();

  /** The transport's own record for this delivery, for {@code MessageContext.unwrap}. */
  Object nativeRecord();

  /**
   * How many times the broker has delivered this message, when it counts (see {@link
   * Capability#BROKER_DELIVERY_COUNT}); 0 when it does not.
   */
  default int brokerDeliveryCount() {
    return 0;
  }

  /**
   * The handler will not run again for this delivery in this process: it succeeded, or its message
   * is on its way to the dead-letter queue or to a retry through the broker. What is left is to
   * publish the outcome (a responder's reply, a dead letter, a retry copy) and to settle. A
   * transport that holds a consumer thread, a concurrency slot or the order of a key until the
   * delivery is settled may free it here, so that a responder can have several replies waiting for
   * their confirmation and a dead letter the broker refuses for a while does not hold a handler
   * thread. Never called while an in-process retry is pending; after it, a failure (a reply that
   * could not be published) is retried through the broker, as a new delivery. Called at most once
   * per delivery, from any thread; transports that need no such signal ignore it.
   */
  default void handlerFinished() {}

  /** The message was handled: remove it from the broker. */
  CompletionStage<Void> ack();

  /**
   * Give the message back to the broker unhandled, to be delivered again as soon as possible,
   * possibly to another consumer. Used by drain and by an open circuit breaker; the attempt is not
   * counted.
   */
  CompletionStage<Void> release();

  /**
   * Arrange for {@code next} to be delivered to this same group (and only this group) after {@code
   * delay}, then acknowledge this delivery. Transports with fixed delay levels use the smallest
   * level not shorter than {@code delay}, or their longest.
   */
  CompletionStage<Void> redeliver(WireMessage next, Duration delay);

  /**
   * Publish {@code deadLetter} (the original key, headers and bytes plus the failure envelope) to
   * this group's dead-letter destination, wait for the broker's confirmation, then acknowledge this
   * delivery. If the publish fails, this delivery is not acknowledged.
   */
  CompletionStage<Void> deadLetter(WireMessage deadLetter);
}
