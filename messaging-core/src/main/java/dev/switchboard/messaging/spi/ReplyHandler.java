package dev.switchboard.messaging.spi;

/**
 * Receives every message that arrives at a {@link ReplyEndpoint}, on a transport thread. It must
 * return quickly and never throws. Replies are not acknowledged individually: a reply lost in a
 * crash is a request that times out.
 */
@FunctionalInterface
public interface ReplyHandler {
  void onReply(WireMessage reply);
}
