package dev.switchboard.messaging;

/**
 * Answers one request. The returned value is sent to the requester as the reply; a thrown exception
 * is sent as an error reply carrying its class name and message, and fails the caller's future with
 * a {@link RemoteErrorException}. Must not return null.
 */
@FunctionalInterface
public interface RequestHandler<T, R> {
  R handle(T request, MessageContext context) throws Exception;
}
