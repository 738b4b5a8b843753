package dev.switchboard.messaging.spi;

import java.time.Duration;

/**
 * A running consumer inside a transport. Methods are thread-safe and idempotent.
 *
 * <p>{@link #pause()} stops fetching new messages while leaving them in the broker; messages
 * already handed out stay with the core, which settles them. {@link #close()} releases what is
 * still unsettled back to the broker.
 */
public interface TransportConsumer extends AutoCloseable {
  void pause();

  void resume();

  /**
   * Stop fetching for good; deliveries already handed out can still be settled until {@link
   * #close()}.
   */
  void stopFetching();

  /**
   * Whether the transport gave up on this consumer (for example, it could not resubscribe after a
   * broker outage); the core reports it as the failed state.
   */
  default boolean failed() {
    return false;
  }

  /** Close, waiting at most {@code timeout} for the broker to take back unsettled messages. */
  void close(Duration timeout);

  @Override
  default void close() {
    close(Duration.ofSeconds(5));
  }
}
