package dev.switchboard.messaging.memory;

import dev.switchboard.messaging.TransportException;
import dev.switchboard.messaging.spi.Capability;
import dev.switchboard.messaging.spi.ConsumerSpec;
import dev.switchboard.messaging.spi.DeadLetterStore;
import dev.switchboard.messaging.spi.DeliveryHandler;
import dev.switchboard.messaging.spi.Destination;
import dev.switchboard.messaging.spi.ReplyEndpoint;
import dev.switchboard.messaging.spi.ReplyHandler;
import dev.switchboard.messaging.spi.Transport;
import dev.switchboard.messaging.spi.TransportConsumer;
import dev.switchboard.messaging.spi.WireMessage;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One simulated process's connection to a shared {@link InMemoryTransport}: closing it closes the
 * consumers and reply endpoints opened through it and nothing else, the way a client leaving a
 * broker leaves the broker running for everyone else.
 */
final class MemoryConnection implements Transport {
  private final InMemoryTransport shared;
  private final Set<TransportConsumer> consumers = ConcurrentHashMap.newKeySet();
  private final Set<ReplyEndpoint> endpoints = ConcurrentHashMap.newKeySet();
  private volatile boolean closed;

  MemoryConnection(InMemoryTransport shared) {
    this.shared = shared;
  }

  @Override
  public String name() {
    return shared.name();
  }

  @Override
  public Set<Capability> capabilities() {
    return shared.capabilities();
  }

  @Override
  public CompletableFuture<Void> send(Destination destination, WireMessage message) {
    if (closed) {
      return CompletableFuture.failedFuture(new TransportException("connection is closed"));
    }
    return shared.send(destination, message);
  }

  @Override
  public CompletableFuture<Void> reply(String replyAddress, WireMessage message) {
    if (closed) {
      return CompletableFuture.failedFuture(new TransportException("connection is closed"));
    }
    return shared.reply(replyAddress, message);
  }

  @Override
  public void declare(Destination destination) {
    shared.declare(destination);
  }

  @Override
  public TransportConsumer consume(ConsumerSpec spec, DeliveryHandler handler) {
    requireOpen();
    TransportConsumer c = shared.consume(spec, handler, consumers::remove);
    consumers.add(c);
    return c;
  }

  @Override
  public ReplyEndpoint openReplyEndpoint(ReplyHandler handler) {
    requireOpen();
    ReplyEndpoint e = shared.openReplyEndpoint(handler);
    ReplyEndpoint tracked =
        new ReplyEndpoint() {
          @Override
          public String address() {
            return e.address();
          }

          @Override
          public void close() {
            endpoints.remove(this);
            e.close();
          }
        };
    endpoints.add(tracked);
    return tracked;
  }

  @Override
  public DeadLetterStore deadLetters(Destination destination, String group) {
    return shared.deadLetters(destination, group);
  }

  @Override
  public void close(Duration timeout) {
    closed = true;
    for (TransportConsumer c : consumers) {
      c.close(timeout);
    }
    for (ReplyEndpoint e : endpoints) {
      e.close();
    }
    consumers.clear();
    endpoints.clear();
  }

  private void requireOpen() {
    if (closed) {
      throw new TransportException("connection is closed");
    }
  }
}
