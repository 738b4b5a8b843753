package dev.switchboard.rabbit;

import dev.switchboard.messaging.TransportException;
import dev.switchboard.messaging.spi.Delivery;
import dev.switchboard.messaging.spi.WireMessage;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

/**
 * A message received by a {@link ConsumerChannel}. Settling methods may be called from any thread.
 *
 * <p>{@link #ack()} and {@link #release()} complete once the acknowledgement has been written to
 * the channel (AMQP does not confirm acknowledgements). {@link #redeliver} and {@link #deadLetter}
 * publish a copy with confirms first and acknowledge only after the broker has confirmed it. If
 * that publish fails, the stage fails and the delivery stays unsettled, as the {@link Delivery}
 * contract requires: the core may then call {@link #deadLetter} again or {@link #release}. Neither
 * publishes at all once the consumer is closing or the channel the message arrived on has closed,
 * because the acknowledgement could no longer succeed and the copy would duplicate the message the
 * broker delivers again. (A channel that closes between the confirmation and the acknowledgement
 * still leaves both; delivery is at-least-once.) Copies never carry an AMQP expiration.
 */
final class RabbitDelivery implements Delivery {
  private final RabbitConsumer consumer;
  private final ConsumerChannel channel;
  private final ConsumerChannel.Live live;
  private final long tag;
  private final AmqpCodec.Decoded decoded;
  private final com.rabbitmq.client.Delivery record;
  private final CompletableFuture<Void> handlerFinished = new CompletableFuture<>();

  RabbitDelivery(
      RabbitConsumer consumer,
      ConsumerChannel channel,
      ConsumerChannel.Live live,
      long tag,
      AmqpCodec.Decoded decoded,
      com.rabbitmq.client.Delivery record) {
    this.consumer = consumer;
    this.channel = channel;
    this.live = live;
    this.tag = tag;
    this.decoded = decoded;
    this.record = record;
  }

  @Override
  public WireMessage message() {
    return decoded.message();
  }

  @Override
  public List<String> problems() {
    return decoded.problems();
  }

  /** The client library's {@code com.rabbitmq.client.Delivery}: envelope, properties, body. */
  @Override
  public Object nativeRecord() {
    return record;
  }

  @Override
  public int brokerDeliveryCount() {
    return decoded.deliveryCount();
  }

  @Override
  public void handlerFinished() {
    handlerFinished.complete(null);
  }

  /** Completes when the core reports that the handler will not run again for this delivery. */
  CompletableFuture<Void> whenHandlerFinished() {
    return handlerFinished;
  }

  @Override
  public CompletionStage<Void> ack() {
    return channel.settle(live, tag, (ch, t) -> ch.basicAck(t, false), "acknowledge");
  }

  @Override
  public CompletionStage<Void> release() {
    return channel.settle(live, tag, (ch, t) -> ch.basicNack(t, false, true), "release");
  }

  @Override
  public CompletionStage<Void> redeliver(WireMessage next, Duration delay) {
    return publishThenAck(consumer.waitRoute(delay), next, "redeliver");
  }

  @Override
  public CompletionStage<Void> deadLetter(WireMessage deadLetter) {
    return publishThenAck(consumer.group().deadLetterRoute(), deadLetter, "dead-letter");
  }

  private CompletionStage<Void> publishThenAck(Route route, WireMessage copy, String what) {
    if (!channel.isUsable(live)) {
      return CompletableFuture.failedFuture(
          new TransportException(
              "cannot "
                  + what
                  + " a message of "
                  + consumer.group().describe()
                  + ": its consumer is closing or the channel it arrived on has closed, so"
                  + " nothing was published and the broker will deliver it again"));
    }
    CompletableFuture<Void> result = new CompletableFuture<>();
    consumer
        .publisher()
        .publish(
            route, AmqpCodec.properties(copy.envelope(), null, false, Instant.now()), copy.body())
        .whenComplete(
            (ok, failure) -> {
              if (failure != null) {
                // Not settled: the caller decides between another try and a release.
                result.completeExceptionally(unwrap(failure));
                return;
              }
              ack()
                  .whenComplete(
                      (acked, ackFailure) -> {
                        if (ackFailure != null) {
                          result.completeExceptionally(unwrap(ackFailure));
                        } else {
                          result.complete(null);
                        }
                      });
            });
    return result;
  }

  private static Throwable unwrap(Throwable t) {
    return t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
  }

  @Override
  public String toString() {
    return "RabbitDelivery{" + consumer.group().queue() + "#" + tag + ", " + message() + "}";
  }
}
