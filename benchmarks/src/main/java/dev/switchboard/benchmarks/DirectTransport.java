package dev.switchboard.benchmarks;

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
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * A transport that costs nothing: a send hands the message to the one consumer on the calling
 * thread, through one reused delivery, and every future it returns is the same completed one. What
 * a benchmark measures through it is the core's own work, publish to handler to acknowledgement,
 * without queues, threads or allocation of the transport's. Single-threaded use only.
 */
final class DirectTransport implements Transport {
  private static final CompletableFuture<Void> DONE = CompletableFuture.completedFuture(null);

  private final Reused delivery = new Reused();
  private @Nullable DeliveryHandler handler;

  @Override
  public String name() {
    return "direct";
  }

  @Override
  public Set<Capability> capabilities() {
    return Set.of();
  }

  @Override
  public CompletableFuture<Void> send(Destination destination, WireMessage message) {
    DeliveryHandler h = handler;
    if (h != null) {
      delivery.message = message;
      h.onDelivery(delivery);
    }
    return DONE;
  }

  /** Hands {@code message} to the consumer as if it had arrived from a broker. */
  CompletionStage<Void> deliver(WireMessage message) {
    delivery.message = message;
    DeliveryHandler h = handler;
    if (h == null) {
      throw new IllegalStateException("no consumer");
    }
    return h.onDelivery(delivery);
  }

  @Override
  public CompletableFuture<Void> reply(String replyAddress, WireMessage message) {
    return DONE;
  }

  @Override
  public TransportConsumer consume(ConsumerSpec spec, DeliveryHandler deliveryHandler) {
    this.handler = deliveryHandler;
    return new TransportConsumer() {
      @Override
      public void pause() {}

      @Override
      public void resume() {}

      @Override
      public void stopFetching() {
        handler = null;
      }

      @Override
      public void close(Duration timeout) {
        handler = null;
      }
    };
  }

  @Override
  public ReplyEndpoint openReplyEndpoint(ReplyHandler replyHandler) {
    return new ReplyEndpoint() {
      @Override
      public String address() {
        return "direct-replies";
      }

      @Override
      public void close() {}
    };
  }

  @Override
  public DeadLetterStore deadLetters(Destination destination, String group) {
    return new DeadLetterStore() {
      @Override
      public List<WireMessage> browse(int limit) {
        return List.of();
      }

      @Override
      public int move(int scanLimit, Function<WireMessage, Optional<WireMessage>> decide) {
        return 0;
      }
    };
  }

  @Override
  public void close(Duration timeout) {
    handler = null;
  }

  /** The one delivery, pointed at each new message in turn; settling it costs nothing. */
  private static final class Reused implements Delivery {
    private @Nullable WireMessage message;

    @Override
    public WireMessage message() {
      WireMessage m = message;
      if (m == null) {
        throw new IllegalStateException("nothing delivered yet");
      }
      return m;
    }

    @Override
    public List<String> problems() {
      return List.of();
    }

    @Override
    public Object nativeRecord() {
      return message();
    }

    @Override
    public CompletionStage<Void> ack() {
      return DONE;
    }

    @Override
    public CompletionStage<Void> release() {
      return DONE;
    }

    @Override
    public CompletionStage<Void> redeliver(WireMessage next, Duration delay) {
      return DONE;
    }

    @Override
    public CompletionStage<Void> deadLetter(WireMessage deadLetter) {
      return DONE;
    }
  }
}
