package dev.switchboard.messaging;

/**
 * Handles one message of a subscription or work queue.
 *
 * <p>Returning normally acknowledges the message. Throwing asks the retry engine to decide: a
 * retryable failure is tried again with backoff, a fatal one (see {@link RetryPolicy}) goes to the
 * group's dead-letter queue at once. The handler may be called more than once for the same message
 * (delivery is at-least-once); use {@link Envelope#id()} to recognise a repeat.
 *
 * <p>Called on a transport or retry thread, at most {@code concurrency} calls at once per consumer;
 * where the transport keeps order per key, never two calls for the same key at once.
 */
@FunctionalInterface
public interface MessageHandler<T> {
  void handle(T value, MessageContext context) throws Exception;
}
