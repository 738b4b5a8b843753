package dev.switchboard.messaging;

import dev.switchboard.messaging.spi.WireHeaders;
import dev.switchboard.messaging.spi.WireMessage;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Adapts a {@link RequestHandler} to the consumer pipeline: runs it, sends its value (or its
 * failure, as an error reply) to the request's reply address, and completes when the reply is
 * confirmed, so the request is acknowledged only after its answer is safe with the broker.
 */
final class Responder<T, R> implements Invocation<T> {
  private final Engine engine;
  private final RequestHandler<T, R> handler;

  Responder(Engine engine, RequestHandler<T, R> handler) {
    this.engine = engine;
    this.handler = handler;
  }

  @Override
  public CompletionStage<Void> invoke(T request, HandlerContext context) {
    Envelope in = context.envelope();
    Optional<String> replyTo = in.replyTo();
    if (replyTo.isEmpty()) {
      return CompletableFuture.failedFuture(
          new FatalMessageException(
              "request " + in.id() + " on '" + context.destination() + "' has no reply address"));
    }
    Envelope.Builder reply =
        Envelope.builder()
            .source(engine.source())
            .time(engine.clock().instant())
            .correlationId(in.correlationId().orElse(in.id()))
            .causationId(in.id());
    byte[] body;
    try {
      R value = handler.handle(request, context);
      if (value == null) {
        throw new IllegalStateException("request handler returned null");
      }
      Payloads.Encoded encoded = engine.payloads().encode(replyTo.get(), value);
      reply.type(encoded.type()).contentType(encoded.contentType());
      body = encoded.body();
    } catch (Exception e) {
      Throwable error = RetryPolicy.unwrap(e);
      boolean retryable = error instanceof MessagingException m && m.isRetryable();
      reply
          .header(WireHeaders.ERROR_TYPE, error.getClass().getName())
          .header(WireHeaders.ERROR_MESSAGE, java.util.Objects.toString(error.getMessage(), ""))
          .header(WireHeaders.ERROR_RETRYABLE, Boolean.toString(retryable));
      body = new byte[0];
      engine
          .listener()
          .handlerFailed(
              context.destination(), context.group(), in, error, "sending an error reply");
    }
    return engine.transport().reply(replyTo.get(), new WireMessage(reply.build(), body));
  }
}
