package dev.switchboard.testkit.ledger;

import dev.switchboard.messaging.spi.Delivery;
import dev.switchboard.messaging.spi.ForwardingDelivery;
import dev.switchboard.messaging.spi.ForwardingTransport;
import dev.switchboard.messaging.spi.Transport;
import dev.switchboard.messaging.spi.WireMessage;
import java.nio.file.Path;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A child's transport, passed through unchanged except that every dead-letter publish whose stage
 * fails is written down as a {@link FailedDeadLetter}, so the parent can prove that a dead-letter
 * outage really refused publishes and see what the broker said.
 *
 * <p>It watches the stage the real delivery returns and hands that same stage to the core, so the
 * core's behaviour and its threads are those of the real transport.
 */
final class ObservedTransport extends ForwardingTransport {
  private static final Logger LOG = LoggerFactory.getLogger(ObservedTransport.class);

  private final Path runDirectory;
  private final long pid;

  ObservedTransport(Transport transport, Path runDirectory, long pid) {
    super(transport);
    this.runDirectory = runDirectory;
    this.pid = pid;
  }

  @Override
  protected Delivery wrap(Delivery delivery) {
    return observe(delivery);
  }

  /** {@code delivery} with its dead-letter publishes watched; package-private for its test. */
  Delivery observe(Delivery delivery) {
    return new Observed(delivery);
  }

  private void record(String id, Throwable error) {
    Throwable cause =
        error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    try {
      FailedDeadLetter.append(runDirectory, pid, id, cause);
    } catch (RuntimeException e) {
      LOG.error("ledger child {} could not record the failed dead letter of {}", pid, id, e);
    }
  }

  /** A delivery whose dead-letter publishes are watched. */
  private final class Observed extends ForwardingDelivery {
    Observed(Delivery delivery) {
      super(delivery);
    }

    @Override
    public CompletionStage<Void> deadLetter(WireMessage deadLetter) {
      CompletionStage<Void> stage = super.deadLetter(deadLetter);
      String id = deadLetter.envelope().id();
      stage.whenComplete(
          (ok, error) -> {
            if (error != null) {
              record(id, error);
            }
          });
      return stage;
    }
  }
}
