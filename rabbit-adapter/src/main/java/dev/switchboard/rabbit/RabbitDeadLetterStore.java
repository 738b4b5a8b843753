package dev.switchboard.rabbit;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.GetResponse;
import com.rabbitmq.client.ShutdownSignalException;
import dev.switchboard.messaging.MessagingException;
import dev.switchboard.messaging.PublishException;
import dev.switchboard.messaging.TransportException;
import dev.switchboard.messaging.spi.DeadLetterStore;
import dev.switchboard.messaging.spi.WireMessage;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dead-letter queue {@code <groupQueue>.dlq} of one group.
 *
 * <p>AMQP has no browse operation, so {@link #browse} takes messages with {@code basic.get} without
 * acknowledging them on a short-lived channel and then closes it, which hands them all back. {@link
 * #move} works the same way and acknowledges a message only after its copy has been confirmed on
 * the group queue (published through the default exchange, so no other group of the topic sees it);
 * messages it leaves go back when its channel closes.
 *
 * <p>Caveats: messages handed back return to the head of the queue, so a concurrent consumer of the
 * dead-letter queue could see them out of order, and on a quorum queue every browse counts as a
 * delivery in {@code x-delivery-count}. {@link #count()} counts ready messages only. A dead-letter
 * queue that does not exist (the group never ran) reads as empty.
 */
final class RabbitDeadLetterStore implements DeadLetterStore {
  private static final Logger LOG = LoggerFactory.getLogger(RabbitDeadLetterStore.class);

  private final Route groupRoute;
  private final String deadLetterQueue;
  private final RabbitSettings settings;
  private final RabbitConnections connections;
  private final ConfirmingPublisher publisher;

  RabbitDeadLetterStore(
      String groupQueue,
      String deadLetterQueue,
      RabbitSettings settings,
      RabbitConnections connections,
      ConfirmingPublisher publisher) {
    this.groupRoute = Route.queue(groupQueue, Route.Kind.GROUP_QUEUE);
    this.deadLetterQueue = deadLetterQueue;
    this.settings = settings;
    this.connections = connections;
    this.publisher = publisher;
  }

  @Override
  public List<WireMessage> browse(int limit) {
    if (limit <= 0) {
      return List.of();
    }
    List<WireMessage> out = new ArrayList<>(Math.min(limit, 256));
    Channel channel = open("browse");
    try {
      for (int i = 0; i < limit; i++) {
        GetResponse got = channel.basicGet(deadLetterQueue, false);
        if (got == null) {
          break;
        }
        out.add(decode(got));
      }
    } catch (IOException | ShutdownSignalException e) {
      if (notFound(e)) {
        return List.of();
      }
      throw failure("browse", e);
    } finally {
      ConfirmingPublisher.closeQuietly(channel);
    }
    return out;
  }

  /**
   * Moves as the {@link DeadLetterStore} contract says. A letter this call moved that fails again
   * and comes back ends the scan, so one call moves a message once. If the broker fails partway (a
   * copy is refused or unconfirmed, the channel closes), the failure is logged at ERROR and the
   * letters moved so far are counted and returned; every letter not yet moved, the failing one
   * included, stays in the dead-letter queue. A letter whose copy reached the group before the
   * failure (confirmed but not yet removed, or its confirmation lost) stays as well, so it can be
   * handled twice.
   *
   * @throws TransportException if there is no connection to start with
   */
  @Override
  public int move(int scanLimit, Function<WireMessage, Optional<WireMessage>> decide) {
    int moved = 0;
    int scanned = 0;
    Set<String> movedIds = new HashSet<>();
    Channel channel = open("move messages out of");
    try {
      while (scanned < scanLimit) {
        GetResponse got = channel.basicGet(deadLetterQueue, false);
        if (got == null) {
          break;
        }
        WireMessage letter = decode(got);
        if (movedIds.contains(letter.envelope().id())) {
          // A letter moved by this call that failed again: it joined the tail, so the scan has
          // been through everything that was there; it waits for the next redrive.
          break;
        }
        scanned++;
        Optional<WireMessage> next = decide.apply(letter);
        if (next.isEmpty()) {
          continue;
        }
        WireMessage copy = next.get();
        awaitConfirm(
            publisher.publish(
                groupRoute,
                AmqpCodec.properties(copy.envelope(), null, false, Instant.now()),
                copy.body()));
        channel.basicAck(got.getEnvelope().getDeliveryTag(), false);
        movedIds.add(letter.envelope().id());
        moved++;
      }
    } catch (IOException | RuntimeException e) {
      if (!notFound(e)) {
        LOG.error(
            "moving dead letters from '{}' to {} stopped after {} moved of {} scanned; the rest"
                + " stay in the dead-letter queue. Fix the cause and redrive again",
            deadLetterQueue,
            groupRoute.describe(),
            moved,
            scanned,
            e);
      }
    } finally {
      // Hands back every letter taken but not acknowledged.
      ConfirmingPublisher.closeQuietly(channel);
    }
    return moved;
  }

  @Override
  public long count() {
    Channel channel = open("count");
    try {
      return channel.queueDeclarePassive(deadLetterQueue).getMessageCount();
    } catch (IOException | ShutdownSignalException e) {
      if (notFound(e)) {
        return 0;
      }
      throw failure("count", e);
    } finally {
      ConfirmingPublisher.closeQuietly(channel);
    }
  }

  private WireMessage decode(GetResponse got) {
    return AmqpCodec.decode(got.getProps(), got.getBody(), false, Instant.now()).message();
  }

  private static void awaitConfirm(CompletableFuture<Void> confirm) {
    try {
      confirm.get();
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof MessagingException m) {
        throw m;
      }
      throw new PublishException("moving a dead letter failed: " + cause, cause);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new PublishException("interrupted while moving a dead letter", e);
    }
  }

  private Channel open(String what) {
    try {
      return connections.openChannel(RabbitConnections.Role.CONSUME);
    } catch (IOException | RuntimeException e) {
      throw new TransportException(
          "cannot "
              + what
              + " dead-letter queue '"
              + deadLetterQueue
              + "': no connection to "
              + settings.brokerUri()
              + " ("
              + e
              + ")",
          e);
    }
  }

  private TransportException failure(String what, Exception e) {
    return new TransportException(
        "cannot " + what + " dead-letter queue '" + deadLetterQueue + "': " + e, e);
  }

  private static boolean notFound(Exception e) {
    Throwable cause = e instanceof ShutdownSignalException ? e : e.getCause();
    return cause instanceof ShutdownSignalException sig
        && sig.getReason() instanceof AMQP.Channel.Close close
        && close.getReplyCode() == AMQP.NOT_FOUND;
  }

  @Override
  public String toString() {
    return "RabbitDeadLetterStore{" + deadLetterQueue + "}";
  }
}
