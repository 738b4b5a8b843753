package dev.switchboard.messaging;

import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.Optional;

/**
 * A message in a dead-letter queue, as {@link DeadLetters#browse} shows it: the original envelope
 * (key, headers, ids) and bytes exactly as they arrived, and the failure envelope. The envelope's
 * headers include the {@code sb_failure_*} and {@code sb_redrive_*} headers.
 */
public final class DeadLetter {
  private final Envelope envelope;
  private final byte[] payload;
  private final Optional<Failure> failure;

  DeadLetter(Envelope envelope, byte[] payload) {
    this.envelope = Objects.requireNonNull(envelope);
    this.payload = payload;
    this.failure = Failure.fromHeaders(envelope.headers());
  }

  public Envelope envelope() {
    return envelope;
  }

  /** The original bytes, read-only. */
  public ByteBuffer payload() {
    return ByteBuffer.wrap(payload).asReadOnlyBuffer();
  }

  /** A copy of the original bytes. */
  public byte[] payloadBytes() {
    return payload.clone();
  }

  /** The failure envelope; empty for a message some other tool put in the queue. */
  public Optional<Failure> failure() {
    return failure;
  }

  /** How many times this message has been redriven already. */
  public int redriveCount() {
    String raw = envelope.headers().get(Redrive.COUNT);
    try {
      return raw == null ? 0 : Integer.parseInt(raw);
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  @Override
  public String toString() {
    return "DeadLetter{" + envelope + ", " + failure.map(Failure::reason).orElse(null) + "}";
  }
}
