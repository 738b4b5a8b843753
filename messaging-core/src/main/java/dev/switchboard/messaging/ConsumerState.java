package dev.switchboard.messaging;

/** The state of a consumer, for health checks. */
public enum ConsumerState {
  /** Fetching and handling messages. */
  RUNNING,
  /** Paused by {@link Subscription#pause()}; messages wait in the broker. */
  PAUSED,
  /** Paused because its circuit breaker is open; resumes by itself when it closes. */
  PAUSED_BY_BREAKER,
  /** {@link Subscription#drain} is in progress. */
  DRAINING,
  /** Closed or drained. */
  STOPPED,
  /** The transport gave up on this consumer; it handles nothing until re-created. */
  FAILED
}
