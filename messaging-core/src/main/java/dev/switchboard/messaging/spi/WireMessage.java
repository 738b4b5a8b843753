package dev.switchboard.messaging.spi;

import dev.switchboard.messaging.Envelope;
import java.util.Objects;

/**
 * A message as a transport sees it: the envelope and the encoded body. The body array is owned by
 * the message once constructed; transports and the core never modify it, so it can be handed to a
 * client library without copying.
 */
public record WireMessage(Envelope envelope, byte[] body) {
  public WireMessage {
    Objects.requireNonNull(envelope, "envelope");
    Objects.requireNonNull(body, "body");
  }

  /** The same body with another envelope. */
  public WireMessage withEnvelope(Envelope next) {
    return new WireMessage(next, body);
  }

  @Override
  public String toString() {
    return "WireMessage{" + envelope + ", body=" + body.length + " bytes}";
  }
}
