package dev.switchboard.messaging;

import java.util.concurrent.CompletionStage;

/**
 * The handler as the pipeline calls it: user handlers complete at once, responders complete when
 * the reply is confirmed, so the request is acknowledged only after its reply is safe.
 */
@FunctionalInterface
interface Invocation<T> {
  CompletionStage<Void> invoke(T value, HandlerContext context) throws Exception;
}
