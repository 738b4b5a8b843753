package dev.switchboard.messaging.spi;

/**
 * Optional behaviours a transport declares. The conformance kit skips a case only when the
 * transport lacks the capability it needs, and {@code docs/conformance.md} lists which transport
 * declares which.
 */
public enum Capability {
  /** Messages with the same key are delivered to a group in publish order. */
  ORDER_PER_KEY,
  /** Redelivery after an arbitrary delay, not only after a fixed set of delay levels. */
  ARBITRARY_REDELIVERY_DELAY,
  /** The broker counts deliveries itself, so a crash before acknowledgement is counted. */
  BROKER_DELIVERY_COUNT,
  /** The transport survives a broker restart within one test (needs a restartable broker). */
  BROKER_RESTART
}
