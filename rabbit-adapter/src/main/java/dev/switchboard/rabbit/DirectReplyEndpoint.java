package dev.switchboard.rabbit;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import dev.switchboard.messaging.TransportException;
import dev.switchboard.messaging.spi.ReplyEndpoint;
import dev.switchboard.messaging.spi.ReplyHandler;
import dev.switchboard.messaging.spi.WireMessage;
import java.io.IOException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A reply address backed by RabbitMQ direct reply-to.
 *
 * <p>Design: the broker only accepts a request whose {@code reply-to} is {@value #PSEUDO_QUEUE} on
 * a channel that already consumes from {@value #PSEUDO_QUEUE} (otherwise it closes the channel),
 * and it rewrites that {@code reply-to} into an address unique to the channel. So each endpoint
 * owns one channel: the reply consumer (auto-ack) is registered when the channel opens, before
 * anything is published on it, and every request that names this endpoint in its {@code replyTo} is
 * published on that same channel, with confirms, through the endpoint's own {@link
 * ConfirmingPublisher}.
 *
 * <p>The {@link #address()} handed to the core is local, {@code amq.rabbitmq.reply-to#<id>}; it
 * only tells {@link RabbitTransport#send} which endpoint's channel to use and never reaches the
 * broker. Responders see the broker-assigned address ({@code amq.rabbitmq.reply-to.<token>}) in the
 * request's {@code replyTo}, and replies arrive with it as their routing key.
 *
 * <p>If the channel or connection is lost, the endpoint reopens with a new broker address; replies
 * to requests sent before that are dropped by the broker and those requests time out. Replies are
 * handed to the {@link ReplyHandler} on a dispatch thread.
 */
final class DirectReplyEndpoint implements ReplyEndpoint {
  private static final Logger LOG = LoggerFactory.getLogger(DirectReplyEndpoint.class);
  static final String PSEUDO_QUEUE = "amq.rabbitmq.reply-to";
  private static final String LOCAL_PREFIX = PSEUDO_QUEUE + "#";
  private static final String INSTANCE = Long.toHexString(new SecureRandom().nextLong());

  private final String address;
  private final ReplyHandler handler;
  private final RabbitSettings settings;
  private final RabbitConnections connections;
  private final Consumer<String> onClose;
  private final ConfirmingPublisher publisher;
  private volatile boolean closed;

  DirectReplyEndpoint(
      String address,
      ReplyHandler handler,
      RabbitSettings settings,
      RabbitConnections connections,
      Consumer<String> onClose) {
    this.address = address;
    this.handler = handler;
    this.settings = settings;
    this.connections = connections;
    this.onClose = onClose;
    this.publisher =
        new ConfirmingPublisher(
            "reply endpoint " + address, this::openChannel, settings, connections);
  }

  static String localAddress(int id) {
    return LOCAL_PREFIX + INSTANCE + "." + id;
  }

  /** Whether {@code replyTo} must go through a local endpoint rather than the plain publisher. */
  static boolean isLocalForm(String replyTo) {
    return replyTo.equals(PSEUDO_QUEUE) || replyTo.startsWith(LOCAL_PREFIX);
  }

  @Override
  public String address() {
    return address;
  }

  /** Opens the channel and registers the reply consumer; the endpoint is ready afterwards. */
  void open() {
    try {
      publisher.ensureOpen();
    } catch (IOException | RuntimeException e) {
      throw new TransportException(
          "cannot open a reply endpoint on " + settings.brokerUri() + ": " + e, e);
    }
    LOG.debug("reply endpoint {} open", address);
  }

  /** Publishes a request whose replies come back here, on this endpoint's channel. */
  CompletableFuture<Void> sendRequest(Route route, WireMessage request) {
    return publisher.publish(
        route,
        AmqpCodec.properties(request.envelope(), PSEUDO_QUEUE, true, Instant.now()),
        request.body());
  }

  void reopenAfterRecovery() {
    if (closed) {
      return;
    }
    try {
      publisher.ensureOpen();
    } catch (IOException | RuntimeException e) {
      LOG.warn(
          "reply endpoint {} could not reopen after the connection recovered; the next request"
              + " tries again",
          address,
          e);
    }
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    onClose.accept(address);
    publisher.close(settings.publishTimeout());
  }

  private Channel openChannel() throws IOException {
    Channel channel = connections.openChannel(RabbitConnections.Role.PUBLISH);
    try {
      channel.basicConsume(PSEUDO_QUEUE, true, new Replies(channel));
    } catch (IOException | RuntimeException e) {
      ConfirmingPublisher.closeQuietly(channel);
      throw e;
    }
    return channel;
  }

  @Override
  public String toString() {
    return "DirectReplyEndpoint{" + address + "}";
  }

  /** Hands every reply to the handler. */
  private final class Replies extends DefaultConsumer {
    Replies(Channel channel) {
      super(channel);
    }

    @Override
    public void handleDelivery(
        String consumerTag, Envelope envelope, AMQP.BasicProperties props, byte[] body) {
      AmqpCodec.Decoded decoded = AmqpCodec.decode(props, body, false, Instant.now());
      if (!decoded.problems().isEmpty()) {
        LOG.warn(
            "a reply to {} has headers that cannot be read ({}); passing it on without them",
            address,
            decoded.problems());
      }
      try {
        handler.onReply(decoded.message());
      } catch (RuntimeException e) {
        LOG.warn("the reply handler of {} threw; the reply is dropped", address, e);
      }
    }
  }
}
