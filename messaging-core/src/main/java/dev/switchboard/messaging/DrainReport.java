package dev.switchboard.messaging;

import java.time.Duration;

/**
 * The outcome of a drain.
 *
 * @param finished deliveries held when the drain began (running, or handled and waiting for the
 *     broker to take the acknowledgement) that were settled during it
 * @param returned messages given back to the broker without being handled
 * @param unfinished handlers still running when the timeout expired; their messages will be
 *     delivered again
 * @param took how long the drain took
 */
public record DrainReport(int finished, int returned, int unfinished, Duration took) {
  /** Whether everything in flight finished within the timeout. */
  public boolean complete() {
    return unfinished == 0;
  }
}
