package dev.switchboard.testkit.ledger;

import dev.switchboard.messaging.spi.Capability;
import dev.switchboard.messaging.spi.ConsumerSpec;
import dev.switchboard.messaging.spi.DeadLetterStore;
import dev.switchboard.messaging.spi.Delivery;
import dev.switchboard.messaging.spi.DeliveryHandler;
import dev.switchboard.messaging.spi.Destination;
import dev.switchboard.messaging.spi.ReplyEndpoint;
import dev.switchboard.messaging.spi.ReplyHandler;
import dev.switchboard.messaging.spi.Transport;
import dev.switchboard.messaging.spi.TransportConsumer;
import dev.switchboard.messaging.spi.WireMessage;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
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
final class ObservedTransport implements Transport {
  private static final Logger LOG = LoggerFactory.getLogger(ObservedTransport.class);

  private final Transport transport;
  private final Path runDirectory;
  private final long pid;

  ObservedTransport(Transport transport, Path runDirectory, long pid) {
    this.transport = transport;
    this.runDirectory = runDirectory;
    this.pid = pid;
  }

  @Override
  public String name() {
    return transport.name();
  }

  @Override
  public Set<Capability> capabilities() {
    return transport.capabilities();
  }

  @Override
  public CompletableFuture<Void> send(Destination destination, WireMessage message) {
    return transport.send(destination, message);
  }

  @Override
  public CompletableFuture<Void> reply(String replyAddress, WireMessage message) {
    return transport.reply(replyAddress, message);
  }

  @Override
  public void declare(Destination destination) {
    transport.declare(destination);
  }

  @Override
  public TransportConsumer consume(ConsumerSpec spec, DeliveryHandler handler) {
    return transport.consume(spec, delivery -> handler.onDelivery(observe(delivery)));
  }

  /** {@code delivery} with its dead-letter publishes watched; package-private for its test. */
  Delivery observe(Delivery delivery) {
    return new Observed(delivery);
  }

  @Override
  public ReplyEndpoint openReplyEndpoint(ReplyHandler handler) {
    return transport.openReplyEndpoint(handler);
  }

  @Override
  public DeadLetterStore deadLetters(Destination destination, String group) {
    return transport.deadLetters(destination, group);
  }

  @Override
  public void close(Duration timeout) {
    transport.close(timeout);
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
  private final class Observed implements Delivery {
    private final Delivery delivery;

    Observed(Delivery delivery) {
      this.delivery = delivery;
    }

    @Override
    public WireMessage message() {
      return delivery.message();
    }

    @Override
    public List<String> problems() {
      return delivery.problems();
    }

    @Override
    public Object nativeRecord() {
      return delivery.nativeRecord();
    }

    @Override
    public int brokerDeliveryCount() {
      return delivery.brokerDeliveryCount();
    }

    @Override
    public CompletionStage<Void> ack() {
      return delivery.ack();
    }

    @Override
    public CompletionStage<Void> release() {
      return delivery.release();
    }

    @Override
    public CompletionStage<Void> redeliver(WireMessage next, Duration delay) {
      return delivery.redeliver(next, delay);
    }

    @Override
    public CompletionStage<Void> deadLetter(WireMessage deadLetter) {
      CompletionStage<Void> stage = delivery.deadLetter(deadLetter);
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
