package dev.switchboard.messaging;

import dev.switchboard.messaging.spi.Destination;
import dev.switchboard.messaging.spi.ReplyEndpoint;
import dev.switchboard.messaging.spi.WireHeaders;
import dev.switchboard.messaging.spi.WireMessage;
import dev.switchboard.messaging.time.Scheduler;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.jspecify.annotations.Nullable;

/**
 * The requester side of request-reply: correlation, timeouts and the pending-request table.
 *
 * <p>Design. One reply endpoint per {@link Messaging}, opened on the first request. Each request
 * gets a correlation id (its message id) and an entry in {@code pending}; the entry leaves the
 * table exactly once, by whichever comes first of the reply, the timeout task on the scheduler, or
 * a failed send. The table is bounded by {@code maxPending}: a request beyond it fails at once with
 * {@link BulkheadFullException}. A reply whose entry is gone (late, duplicate, unknown) is dropped
 * and counted.
 *
 * <p>The deadline sent with a request is the sooner of now plus the timeout and, inside a handler,
 * the handled message's deadline less the configured margin, so nested calls never outlive their
 * caller.
 */
final class RequestClient implements AutoCloseable {
  private final Engine engine;
  private final int maxPending;
  private final Duration nestedMargin;
  private final ConcurrentHashMap<String, Pending<?>> pending = new ConcurrentHashMap<>();
  private final AtomicInteger size = new AtomicInteger();
  private final LongAdder dropped = new LongAdder();
  private volatile @Nullable ReplyEndpoint endpoint;

  RequestClient(Engine engine, int maxPending, Duration nestedMargin) {
    this.engine = engine;
    this.maxPending = maxPending;
    this.nestedMargin = nestedMargin;
  }

  private static final class Pending<R> {
    final CompletableFuture<R> future = new CompletableFuture<>();
    final Class<R> replyType;
    final String destination;
    volatile Scheduler.@Nullable Cancellable timeout;

    Pending(Class<R> replyType, String destination) {
      this.replyType = replyType;
      this.destination = destination;
    }
  }

  <R> CompletableFuture<R> request(
      String destination, Object value, Class<R> replyType, Duration timeout, SendOptions opts) {
    Instant now = engine.clock().instant();
    Instant deadline = now.plus(timeout);
    if (opts.deadline().isPresent() && opts.deadline().get().isBefore(deadline)) {
      deadline = opts.deadline().get();
    }
    HandlerContext caller = HandlerContext.current();
    if (caller != null && caller.envelope().deadline().isPresent()) {
      Instant inherited = caller.envelope().deadline().get().minus(nestedMargin);
      if (inherited.isBefore(deadline)) {
        deadline = inherited;
      }
    }
    if (!deadline.isAfter(now)) {
      return CompletableFuture.failedFuture(
          new RequestTimeoutException(
              "request to '"
                  + destination
                  + "' has no time left: its deadline "
                  + deadline
                  + " has passed"));
    }
    if (size.incrementAndGet() > maxPending) {
      size.decrementAndGet();
      return CompletableFuture.failedFuture(
          new BulkheadFullException(
              maxPending
                  + " requests already in flight; request to '"
                  + destination
                  + "' refused. Raise Messaging.builder().maxPendingRequests(..) or slow down"));
    }
    Payloads.Encoded encoded;
    try {
      encoded = engine.payloads().encode(destination, value);
    } catch (RuntimeException e) {
      size.decrementAndGet();
      return CompletableFuture.failedFuture(e);
    }
    String id = opts.id().orElseGet(() -> UUID.randomUUID().toString());
    Envelope.Builder b =
        Envelope.builder()
            .id(id)
            .type(encoded.type())
            .contentType(encoded.contentType())
            .source(engine.source())
            .time(now)
            .correlationId(id)
            .replyTo(endpoint().address())
            .deadline(deadline)
            .headers(opts.headers())
            .key(opts.key().orElse(null));
    if (caller != null) {
      b.causationId(caller.envelope().id());
    }
    opts.causationId().ifPresent(b::causationId);
    Pending<R> p = new Pending<>(replyType, destination);
    if (pending.putIfAbsent(id, p) != null) {
      size.decrementAndGet();
      return CompletableFuture.failedFuture(
          new IllegalStateException("a request with id " + id + " is already pending"));
    }
    Duration wait = Duration.between(now, deadline);
    p.timeout =
        engine
            .scheduler()
            .schedule(
                wait,
                () -> {
                  if (remove(id, p)) {
                    p.future.completeExceptionally(
                        new RequestTimeoutException(
                            "no reply from '"
                                + destination
                                + "' within "
                                + wait.toMillis()
                                + " ms (request "
                                + id
                                + ")"));
                  }
                });
    WireMessage message = new WireMessage(b.build(), encoded.body());
    engine
        .transport()
        .send(Destination.queue(destination), message)
        .whenComplete(
            (ok, error) -> {
              if (error != null && remove(id, p)) {
                cancelTimeout(p);
                p.future.completeExceptionally(RetryPolicy.unwrap(error));
              }
            });
    return p.future;
  }

  private boolean remove(String id, Pending<?> p) {
    if (pending.remove(id, p)) {
      size.decrementAndGet();
      return true;
    }
    return false;
  }

  private static void cancelTimeout(Pending<?> p) {
    Scheduler.Cancellable t = p.timeout;
    if (t != null) {
      t.cancel();
    }
  }

  private void onReply(WireMessage reply) {
    String correlation = reply.envelope().correlationId().orElse(null);
    Pending<?> p = correlation == null ? null : pending.get(correlation);
    if (p == null || !remove(correlation, p)) {
      dropped.increment();
      engine
          .listener()
          .replyDropped(
              reply.envelope(),
              correlation == null ? "no correlation id" : "no pending request (late or unknown)");
      return;
    }
    cancelTimeout(p);
    complete(p, reply);
  }

  private <R> void complete(Pending<R> p, WireMessage reply) {
    String errorType = reply.envelope().headers().get(WireHeaders.ERROR_TYPE);
    if (errorType != null) {
      p.future.completeExceptionally(
          new RemoteErrorException(
              errorType,
              reply.envelope().headers().getOrDefault(WireHeaders.ERROR_MESSAGE, ""),
              Boolean.parseBoolean(
                  reply.envelope().headers().getOrDefault(WireHeaders.ERROR_RETRYABLE, "false"))));
      return;
    }
    try {
      p.future.complete(engine.payloads().decode(reply.envelope(), reply.body(), p.replyType));
    } catch (RuntimeException e) {
      p.future.completeExceptionally(
          new DecodeException(
              "reply from '"
                  + p.destination
                  + "' could not be decoded as "
                  + p.replyType.getName()
                  + ": "
                  + e.getMessage(),
              e));
    }
  }

  private ReplyEndpoint endpoint() {
    ReplyEndpoint e = endpoint;
    if (e == null) {
      synchronized (this) {
        e = endpoint;
        if (e == null) {
          e = engine.transport().openReplyEndpoint(this::onReply);
          endpoint = e;
        }
      }
    }
    return e;
  }

  /** Requests waiting for a reply now. */
  int pendingCount() {
    return size.get();
  }

  /** Replies dropped because nothing waited for them. */
  long droppedReplies() {
    return dropped.sum();
  }

  @Override
  public void close() {
    ReplyEndpoint e = endpoint;
    if (e != null) {
      e.close();
    }
    for (String id : pending.keySet()) {
      Pending<?> p = pending.get(id);
      if (p != null && remove(id, p)) {
        cancelTimeout(p);
        p.future.completeExceptionally(
            new TransportException("messaging closed before a reply to request " + id));
      }
    }
  }
}
