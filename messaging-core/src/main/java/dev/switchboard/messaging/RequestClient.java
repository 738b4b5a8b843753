package dev.switchboard.messaging;

import dev.switchboard.messaging.spi.Destination;
import dev.switchboard.messaging.spi.ReplyEndpoint;
import dev.switchboard.messaging.spi.WireHeaders;
import dev.switchboard.messaging.spi.WireMessage;
import dev.switchboard.messaging.time.Scheduler;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
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
    final WireMessage message;
    final Instant deadline;
    volatile Scheduler.@Nullable Cancellable timeout;
    volatile Scheduler.@Nullable Cancellable attemptTimer;
    volatile int attempts;
    final long started = System.nanoTime();
    volatile @Nullable CircuitBreaker breaker;

    Pending(Class<R> replyType, String destination, WireMessage message, Instant deadline) {
      this.replyType = replyType;
      this.destination = destination;
      this.message = message;
      this.deadline = deadline;
    }
  }

  <R> CompletableFuture<R> request(
      String destination,
      Object value,
      Class<R> replyType,
      Duration timeout,
      SendOptions opts,
      @Nullable RequestPolicy policy) {
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
    CircuitBreaker breaker = policy == null ? null : policy.breaker().orElse(null);
    if (breaker != null && !breaker.tryAcquirePermission()) {
      return CompletableFuture.failedFuture(
          new CircuitOpenException(
              "circuit breaker '"
                  + breaker.getName()
                  + "' is "
                  + breaker.getState()
                  + " for '"
                  + destination
                  + "'; request not sent"));
    }
    if (size.incrementAndGet() > maxPending) {
      size.decrementAndGet();
      if (breaker != null) {
        breaker.releasePermission();
      }
      return CompletableFuture.failedFuture(
          new BulkheadFullException(
              maxPending
                  + " requests already in flight; request to '"
                  + destination
                  + "' refused. Raise Messaging.builder().maxPendingRequests(..) or slow down"));
    }
    try {
      return send(destination, value, replyType, opts, policy, now, deadline, caller, breaker);
    } catch (RuntimeException e) {
      // Nothing was registered (or it was removed again): give back the slots taken above.
      size.decrementAndGet();
      if (breaker != null) {
        breaker.releasePermission();
      }
      return CompletableFuture.failedFuture(e);
    }
  }

  private <R> CompletableFuture<R> send(
      String destination,
      Object value,
      Class<R> replyType,
      SendOptions opts,
      @Nullable RequestPolicy policy,
      Instant now,
      Instant deadline,
      @Nullable HandlerContext caller,
      @Nullable CircuitBreaker breaker) {
    engine.headerLimits().checkOutgoing(destination, opts.headers());
    Payloads.Encoded encoded = engine.payloads().encode(destination, value);
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
    Pending<R> p =
        new Pending<>(replyType, destination, new WireMessage(b.build(), encoded.body()), deadline);
    if (pending.putIfAbsent(id, p) != null) {
      throw new IllegalStateException("a request with id " + id + " is already pending");
    }
    p.breaker = breaker;
    Duration wait = Duration.between(now, deadline);
    p.timeout =
        engine
            .scheduler()
            .schedule(
                wait,
                () -> {
                  if (remove(id, p)) {
                    cancelTimers(p);
                    fail(
                        p,
                        new RequestTimeoutException(
                            "no reply from '"
                                + destination
                                + "' within "
                                + wait.toMillis()
                                + " ms (request "
                                + id
                                + ", "
                                + p.attempts
                                + " attempt(s))"));
                  }
                });
    attempt(id, p, policy);
    return p.future;
  }

  /** Sends one attempt of a pending request and, under a retry policy, arms the next. */
  private void attempt(String id, Pending<?> p, @Nullable RequestPolicy policy) {
    p.attempts++;
    if (policy != null
        && p.attempts < policy.maxAttempts()
        && policy.attemptTimeout().isPresent()) {
      p.attemptTimer =
          engine
              .scheduler()
              .schedule(
                  policy.attemptTimeout().get(),
                  () -> {
                    Instant next = engine.clock().instant().plus(policy.backoff());
                    if (pending.get(id) == p && next.isBefore(p.deadline)) {
                      p.attemptTimer =
                          engine
                              .scheduler()
                              .schedule(
                                  policy.backoff(),
                                  () -> {
                                    if (pending.get(id) == p) {
                                      attempt(id, p, policy);
                                    }
                                  });
                    }
                  });
    }
    CompletableFuture<Void> sent;
    try {
      sent = engine.transport().send(Destination.queue(p.destination), p.message);
    } catch (RuntimeException e) {
      sent = CompletableFuture.failedFuture(e);
    }
    sent.whenComplete(
        (ok, error) -> {
          if (error != null && remove(id, p)) {
            cancelTimers(p);
            fail(p, RetryPolicy.unwrap(error));
          }
        });
  }

  /**
   * Completes a call. The breaker hears the outcome first: a caller woken by the future must see
   * the breaker already in the state that outcome leads to.
   */
  private static <R> void succeed(Pending<R> p, R value) {
    CircuitBreaker breaker = p.breaker;
    if (breaker != null) {
      record(breaker, p.started, null);
    }
    p.future.complete(value);
  }

  private static void fail(Pending<?> p, Throwable error) {
    CircuitBreaker breaker = p.breaker;
    if (breaker != null) {
      record(breaker, p.started, error);
    }
    p.future.completeExceptionally(error);
  }

  private static void record(CircuitBreaker breaker, long started, @Nullable Throwable error) {
    long nanos = System.nanoTime() - started;
    Throwable e = error == null ? null : RetryPolicy.unwrap(error);
    if (e == null || (e instanceof RemoteErrorException r && !r.isRetryable())) {
      breaker.onSuccess(nanos, TimeUnit.NANOSECONDS);
    } else {
      breaker.onError(nanos, TimeUnit.NANOSECONDS, e);
    }
  }

  private boolean remove(String id, Pending<?> p) {
    if (pending.remove(id, p)) {
      size.decrementAndGet();
      return true;
    }
    return false;
  }

  private static void cancelTimers(Pending<?> p) {
    Scheduler.Cancellable t = p.timeout;
    if (t != null) {
      t.cancel();
    }
    Scheduler.Cancellable a = p.attemptTimer;
    if (a != null) {
      a.cancel();
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
    cancelTimers(p);
    complete(p, reply);
  }

  private <R> void complete(Pending<R> p, WireMessage reply) {
    String errorType = reply.envelope().headers().get(WireHeaders.ERROR_TYPE);
    if (errorType != null) {
      fail(
          p,
          new RemoteErrorException(
              errorType,
              reply.envelope().headers().getOrDefault(WireHeaders.ERROR_MESSAGE, ""),
              Boolean.parseBoolean(
                  reply.envelope().headers().getOrDefault(WireHeaders.ERROR_RETRYABLE, "false"))));
      return;
    }
    try {
      succeed(p, engine.payloads().decode(reply.envelope(), reply.body(), p.replyType));
    } catch (RuntimeException e) {
      fail(
          p,
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
        cancelTimers(p);
        fail(p, new TransportException("messaging closed before a reply to request " + id));
      }
    }
  }
}
