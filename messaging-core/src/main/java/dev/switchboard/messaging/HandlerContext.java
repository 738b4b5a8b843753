package dev.switchboard.messaging;

import dev.switchboard.messaging.spi.Delivery;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The {@link MessageContext} of one handler call. While the handler runs it is also the thread's
 * current context, which is how a publish or request from inside a handler inherits the causation
 * id and the remaining deadline.
 */
final class HandlerContext implements MessageContext {
  private static final ThreadLocal<HandlerContext> CURRENT = new ThreadLocal<>();

  private final Envelope envelope;
  private final String destination;
  private final String group;
  private final Delivery delivery;
  private final Clock clock;

  HandlerContext(
      Envelope envelope, String destination, String group, Delivery delivery, Clock clock) {
    this.envelope = envelope;
    this.destination = destination;
    this.group = group;
    this.delivery = delivery;
    this.clock = clock;
  }

  static @Nullable HandlerContext current() {
    return CURRENT.get();
  }

  /** Makes this the thread's current context; returns the previous one to restore. */
  @Nullable HandlerContext enter() {
    HandlerContext previous = CURRENT.get();
    CURRENT.set(this);
    return previous;
  }

  static void exit(@Nullable HandlerContext previous) {
    // set(null) rather than remove(): consumer threads handle message after message, and
    // removing would re-create the thread-local entry every time.
    CURRENT.set(previous);
  }

  @Override
  public Envelope envelope() {
    return envelope;
  }

  @Override
  public String destination() {
    return destination;
  }

  @Override
  public String group() {
    return group;
  }

  @Override
  public Optional<Duration> remaining() {
    Optional<Instant> deadline = envelope.deadline();
    if (deadline.isEmpty()) {
      return Optional.empty();
    }
    Duration left = Duration.between(clock.instant(), deadline.get());
    return Optional.of(left.isNegative() ? Duration.ZERO : left);
  }

  @Override
  public ByteBuffer payload() {
    return ByteBuffer.wrap(delivery.message().body()).asReadOnlyBuffer();
  }

  @Override
  public <N> N unwrap(Class<N> type) {
    Object record = delivery.nativeRecord();
    if (!type.isInstance(record)) {
      throw new IllegalArgumentException(
          "the native record is a " + record.getClass().getName() + ", not " + type.getName());
    }
    return type.cast(record);
  }
}
