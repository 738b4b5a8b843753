package dev.switchboard.messaging;

/**
 * Counters of one consumer.
 *
 * @param handled messages whose handler returned normally
 * @param failures handler calls that threw
 * @param retried in-process retries plus redeliveries through the broker
 * @param deadLettered messages sent to the dead-letter queue
 * @param expired messages found past their deadline (dead-lettered or dropped by policy)
 * @param released messages given back to the broker unhandled (drain, open breaker)
 * @param inFlight messages held right now
 */
public record ConsumerStats(
    long handled,
    long failures,
    long retried,
    long deadLettered,
    long expired,
    long released,
    int inFlight) {}
