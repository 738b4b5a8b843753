package dev.switchboard.messaging.spi;

/**
 * The address this process receives replies on. It is ready when returned: a reply sent to {@link
 * #address()} after this point is delivered to the handler given when it was opened.
 */
public interface ReplyEndpoint extends AutoCloseable {
  /** Opaque to the core; put into {@code replyTo} of each request. */
  String address();

  @Override
  void close();
}
