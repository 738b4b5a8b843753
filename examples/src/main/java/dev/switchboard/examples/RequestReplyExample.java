package dev.switchboard.examples;

import dev.switchboard.examples.Pricing.Quote;
import dev.switchboard.examples.Pricing.QuoteRequest;
import dev.switchboard.examples.Pricing.TaxAnswer;
import dev.switchboard.examples.Pricing.TaxRequest;
import dev.switchboard.messaging.CircuitOpenException;
import dev.switchboard.messaging.ConsumerOptions;
import dev.switchboard.messaging.DeadlineExceededException;
import dev.switchboard.messaging.MessageContext;
import dev.switchboard.messaging.Messaging;
import dev.switchboard.messaging.RemoteErrorException;
import dev.switchboard.messaging.RequestPolicy;
import dev.switchboard.messaging.RequestTimeoutException;
import dev.switchboard.messaging.SendOptions;
import dev.switchboard.messaging.Subscription;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import java.io.PrintWriter;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * Request-reply. A pricing client asks a quote service for quotes; the quote service asks a tax
 * service from inside its handler. Shown in turn: replies matched to their requests by correlation
 * id, a deadline that shrinks on its way into the nested call, a request that times out, an error
 * that crosses the wire, and what the client does while the service is down.
 *
 * <p>The client guards the quote service's destination with a {@link RequestPolicy} holding a
 * Resilience4j breaker. The core counts each request's outcome against it (timeouts count as
 * failures, an error reply that is not retryable as a success); after two failures in a row the
 * breaker opens and the client's requests fail at once with {@link CircuitOpenException}, unsent,
 * until the service has had a moment to come back.
 */
final class RequestReplyExample {
  static final String SLOW_SKU = "PAL-1000";
  static final String UNKNOWN_SKU = "XX-000";
  private static final Map<String, BigDecimal> CATALOGUE =
      Map.of(
          "KB-101",
          new BigDecimal("49.90"),
          "MS-220",
          new BigDecimal("19.50"),
          "MN-270",
          new BigDecimal("219.00"),
          "DK-900",
          new BigDecimal("399.00"),
          SLOW_SKU,
          new BigDecimal("1450.00"));
  private static final Map<String, BigDecimal> TAX_RATES =
      Map.of("NL", new BigDecimal("0.21"), "DE", new BigDecimal("0.19"));

  /**
   * How the example runs; durations are short so that it finishes in a few seconds.
   *
   * @param timeout the client's timeout for an ordinary quote
   * @param shortTimeout the client's timeout for the slow quote and while the service is down
   * @param slowPricing how long the quote service takes for {@link #SLOW_SKU}
   * @param breakerPause how long the client's breaker stays open before it lets a trial through
   */
  record Settings(
      Duration timeout, Duration shortTimeout, Duration slowPricing, Duration breakerPause) {
    Settings {
      if (slowPricing.compareTo(shortTimeout) <= 0) {
        throw new IllegalArgumentException(
            "slowPricing (" + slowPricing + ") must exceed shortTimeout (" + shortTimeout + ")");
      }
    }

    /** Defaults for {@code backend}: its request timeout, and short waits for the rest. */
    static Settings defaults(Backend backend) {
      return new Settings(
          backend.requestTimeout(),
          Duration.ofMillis(300),
          Duration.ofMillis(600),
          Duration.ofMillis(800));
    }
  }

  /**
   * What happened.
   *
   * @param asked ordinary quotes requested at once
   * @param correlated replies whose echoed correlation id matched the request's
   * @param timedOut whether the slow request failed with {@link RequestTimeoutException}
   * @param lateReplyDropped whether the slow request's late answer was dropped by the client
   * @param remoteErrorType the remote exception class the invalid SKU produced, empty if none
   * @param remoteErrorMessage its message
   * @param timeoutsWhileStopped requests that timed out while the service was stopped
   * @param refusedFast requests the client's breaker refused without sending
   * @param recovered whether a request succeeded after the service returned
   * @param breakerTransitions the state changes of the client's breaker, such as {@code CLOSED ->
   *     OPEN}, in order
   * @param outerBudget the time the quote service had left for the first quote
   * @param nestedBudget the time the tax service had left for that quote's nested call
   * @param nestedAlwaysSmaller whether every nested call had less time than its caller
   * @param expiredSkipped requests the returning service dropped because their deadline passed
   */
  record Result(
      int asked,
      int correlated,
      boolean timedOut,
      boolean lateReplyDropped,
      String remoteErrorType,
      String remoteErrorMessage,
      int timeoutsWhileStopped,
      int refusedFast,
      boolean recovered,
      List<String> breakerTransitions,
      Duration outerBudget,
      Duration nestedBudget,
      boolean nestedAlwaysSmaller,
      long expiredSkipped) {
    Result {
      breakerTransitions = List.copyOf(breakerTransitions);
    }

    /** Whether the breaker opened during the outage and closed again after a trial call. */
    boolean breakerOpenedAndClosed() {
      return breakerTransitions.equals(
          List.of("CLOSED -> OPEN", "OPEN -> HALF_OPEN", "HALF_OPEN -> CLOSED"));
    }

    boolean remoteErrorSeen() {
      return remoteErrorType.equals(UnknownSkuException.class.getName());
    }

    boolean ok() {
      return correlated == asked
          && timedOut
          && lateReplyDropped
          && remoteErrorSeen()
          && timeoutsWhileStopped >= 1
          && refusedFast >= 1
          && recovered
          && breakerOpenedAndClosed()
          && nestedAlwaysSmaller;
    }
  }

  private final Backend backend;
  private final RunNames names;
  private final PrintWriter out;
  private final Settings settings;

  RequestReplyExample(Backend backend, RunNames names, PrintWriter out, Settings settings) {
    this.backend = backend;
    this.names = names;
    this.out = out;
    this.settings = settings;
  }

  Result run() throws InterruptedException {
    String quotes = names.of("quotes");
    String taxes = names.of("tax");
    CircuitBreaker breaker = quoteBreaker();
    BreakerWatch watch = new BreakerWatch(breaker);
    try (Fleet fleet = new Fleet(backend, RequestReplyExample::types)) {
      Messaging client =
          fleet.start(
              "pricing-client",
              b ->
                  b.requestPolicy(quotes, RequestPolicy.builder().circuitBreaker(breaker).build()));
      Messaging quoteService = fleet.start("quote-service");
      Messaging taxService = fleet.start("tax-service");
      ConsumerOptions responders = ConsumerOptions.builder().concurrency(4).build();
      taxService.respond(taxes, TaxRequest.class, this::tax, responders);
      Subscription quoting =
          quoteService.respond(
              quotes,
              QuoteRequest.class,
              (r, ctx) -> quote(quoteService, taxes, r, ctx),
              responders);
      out.printf("quote-service answers on %s and asks tax-service on %s%n", quotes, taxes);
      out.printf(
          "pricing-client guards %s with a circuit breaker: 2 failed calls in a row open it for"
              + " %d ms%n",
          quotes, settings.breakerPause().toMillis());

      // 1. Several requests in flight at once; each reply must find its own request.
      List<QuoteRequest> asks =
          List.of(
              new QuoteRequest("KB-101", 2, "NL"),
              new QuoteRequest("MS-220", 5, "DE"),
              new QuoteRequest("MN-270", 1, "NL"),
              new QuoteRequest("DK-900", 1, "DE"));
      out.printf(
          "pricing-client sends %d quote requests at once, %d ms timeout each:%n",
          asks.size(), settings.timeout().toMillis());
      List<String> ids = new ArrayList<>();
      List<CompletableFuture<Quote>> pending = new ArrayList<>();
      for (QuoteRequest ask : asks) {
        String id = UUID.randomUUID().toString();
        ids.add(id);
        pending.add(
            client.request(
                quotes,
                ask,
                Quote.class,
                settings.timeout(),
                SendOptions.builder().id(id).build()));
      }
      int correlated = 0;
      boolean nestedAlwaysSmaller = true;
      List<Quote> answers = pending.stream().map(CompletableFuture::join).toList();
      Quote first = answers.get(0);
      for (int i = 0; i < asks.size(); i++) {
        Quote q = answers.get(i);
        boolean matches = q.correlationId().equals(ids.get(i));
        correlated += matches ? 1 : 0;
        nestedAlwaysSmaller &= q.taxBudgetMillis() < q.budgetMillis();
        out.printf(
            Locale.ROOT,
            "  %s  %-6s x%d  %8s + tax %6s = %8s EUR  correlation %s%n",
            ids.get(i).substring(0, 8),
            q.sku(),
            q.quantity(),
            q.subtotal().toPlainString(),
            q.tax().toPlainString(),
            q.total().toPlainString(),
            matches ? "matches" : "MISMATCH (" + q.correlationId() + ")");
      }

      // 2. The deadline travels: the nested call gets what is left, less a margin.
      out.printf(
          "deadline: the client allowed %d ms and quote-service had %d ms of it left;%n"
              + "  its nested call to tax-service got %d ms: what was left, less a margin%n",
          settings.timeout().toMillis(), first.budgetMillis(), first.taxBudgetMillis());

      // 3. A request that takes longer than the caller is willing to wait.
      long droppedBefore = client.droppedReplies();
      long t0 = System.nanoTime();
      boolean timedOut = false;
      try {
        client
            .request(
                quotes, new QuoteRequest(SLOW_SKU, 1, "NL"), Quote.class, settings.shortTimeout())
            .join();
        out.printf("slow request: %s was answered in time, unexpectedly%n", SLOW_SKU);
      } catch (CompletionException e) {
        timedOut = e.getCause() instanceof RequestTimeoutException;
        out.printf(
            "slow request: %s with a %d ms timeout -> %s after %d ms%n",
            SLOW_SKU,
            settings.shortTimeout().toMillis(),
            e.getCause().getClass().getSimpleName(),
            millisSince(t0));
      }
      boolean lateReplyDropped =
          Waits.until(
              () -> client.droppedReplies() > droppedBefore,
              settings.slowPricing().plus(backend.patience()));
      out.printf(
          "  its answer came %s after the client gave up%s%n",
          lateReplyDropped ? "back" : "never back",
          lateReplyDropped
              ? " and was dropped (dropped replies: " + client.droppedReplies() + ")"
              : "");

      // 4. The service fails; the error crosses the wire as its type and message.
      String remoteType = "";
      String remoteMessage = "";
      try {
        client
            .request(
                quotes, new QuoteRequest(UNKNOWN_SKU, 1, "NL"), Quote.class, settings.timeout())
            .join();
        out.printf("invalid SKU: %s was priced, unexpectedly%n", UNKNOWN_SKU);
      } catch (CompletionException e) {
        if (e.getCause() instanceof RemoteErrorException remote) {
          remoteType = remote.remoteType();
          remoteMessage = remote.remoteMessage();
          out.printf(
              "invalid SKU: %s -> RemoteErrorException%n  remote type %s, message \"%s\"%n",
              UNKNOWN_SKU, remoteType, remoteMessage);
        } else {
          out.printf("invalid SKU: %s -> %s, expected a remote error%n", UNKNOWN_SKU, e.getCause());
        }
      }

      // 5. The service stops. Requests time out until the breaker opens; then it refuses them.
      quoting.drain(Duration.ofSeconds(5));
      out.printf(
          "quote-service stopped; requests time out after %d ms until the breaker opens%n",
          settings.shortTimeout().toMillis());
      int timeouts = 0;
      int refused = 0;
      for (int call = 1; call <= 4; call++) {
        Outcome o =
            call(
                client,
                watch,
                quotes,
                new QuoteRequest("KB-101", 1, "NL"),
                settings.shortTimeout());
        timeouts += o.error() instanceof RequestTimeoutException ? 1 : 0;
        refused += o.error() instanceof CircuitOpenException ? 1 : 0;
        watch.settle(timeouts >= 2 ? CircuitBreaker.State.OPEN : CircuitBreaker.State.CLOSED);
        out.printf("  call %d: %s; breaker %s%n", call, o.describe(), breaker.getState());
      }

      // 6. The service returns; after its pause the breaker lets a trial call through.
      Subscription back =
          quoteService.respond(
              quotes,
              QuoteRequest.class,
              (r, ctx) -> quote(quoteService, taxes, r, ctx),
              responders);
      out.printf(
          "quote-service started again; the client waits out the breaker's %d ms pause%n",
          settings.breakerPause().toMillis());
      TimeUnit.MILLISECONDS.sleep(settings.breakerPause().toMillis() + 50);
      Outcome trial =
          call(client, watch, quotes, new QuoteRequest("KB-101", 1, "NL"), settings.timeout());
      boolean recovered = trial.error() == null;
      watch.settle(recovered ? CircuitBreaker.State.CLOSED : CircuitBreaker.State.OPEN);
      out.printf("  call 5: %s; breaker %s%n", trial.describe(), breaker.getState());
      List<String> transitions = watch.transitions();
      out.printf(
          "  breaker transitions: %s%n",
          transitions.isEmpty() ? "none" : String.join(", ", transitions));
      int sentWhileDown = timeouts;
      Waits.until(() -> back.stats().expired() >= sentWhileDown, Duration.ofSeconds(2));
      long expired = back.stats().expired();
      if (expired > 0) {
        out.printf(
            "  the returning service skipped %d request(s) whose deadline passed while it was"
                + " down%n",
            expired);
      } else {
        out.println(
            "  the requests sent while it was down never reached it (expired in the broker)");
      }

      Result result =
          new Result(
              asks.size(),
              correlated,
              timedOut,
              lateReplyDropped,
              remoteType,
              remoteMessage,
              timeouts,
              refused,
              recovered,
              transitions,
              Duration.ofMillis(first.budgetMillis()),
              Duration.ofMillis(first.taxBudgetMillis()),
              nestedAlwaysSmaller,
              expired);
      out.printf(
          "request-reply: %d/%d replies correlated, timeout seen: %s, remote error seen: %s,%n"
              + "  nested budget smaller: %s, recovered after the outage: %s%n",
          result.correlated(),
          result.asked(),
          yes(result.timedOut()),
          yes(result.remoteErrorSeen()),
          yes(result.nestedAlwaysSmaller()),
          yes(result.recovered()));
      return result;
    }
  }

  static Messaging.Builder types(Messaging.Builder b) {
    return b.register("QuoteRequest", QuoteRequest.class)
        .register("Quote", Quote.class)
        .register("TaxRequest", TaxRequest.class)
        .register("TaxAnswer", TaxAnswer.class);
  }

  /** The quote service's handler: price the items, then ask the tax service, inside the budget. */
  private Quote quote(Messaging self, String taxes, QuoteRequest request, MessageContext ctx)
      throws InterruptedException {
    long budget = millis(ctx.remaining());
    BigDecimal unit = CATALOGUE.get(request.sku());
    if (unit == null) {
      throw new UnknownSkuException("no such SKU '" + request.sku() + "'");
    }
    if (request.sku().equals(SLOW_SKU)) {
      // Pallets are priced by a slow legacy system.
      TimeUnit.NANOSECONDS.sleep(settings.slowPricing().toNanos());
      if (ctx.remaining().map(Duration::isZero).orElse(false)) {
        throw new DeadlineExceededException(
            "the caller's deadline passed while a pallet was being priced");
      }
    }
    BigDecimal subtotal = unit.multiply(BigDecimal.valueOf(request.quantity()));
    // Made on the handler's thread, so the request inherits the handled message's deadline.
    TaxAnswer tax =
        self.request(
                taxes,
                new TaxRequest(subtotal, request.region()),
                TaxAnswer.class,
                Duration.ofSeconds(30))
            .join();
    return new Quote(
        request.sku(),
        request.quantity(),
        unit,
        subtotal,
        tax.tax(),
        subtotal.add(tax.tax()),
        ctx.envelope().correlationId().orElse(""),
        budget,
        tax.budgetMillis());
  }

  /** The tax service's handler. */
  private TaxAnswer tax(TaxRequest request, MessageContext ctx) {
    BigDecimal rate = TAX_RATES.get(request.region());
    if (rate == null) {
      throw new IllegalArgumentException("no tax rate for region '" + request.region() + "'");
    }
    BigDecimal tax = request.amount().multiply(rate).setScale(2, RoundingMode.HALF_EVEN);
    return new TaxAnswer(tax, rate, millis(ctx.remaining()));
  }

  /**
   * The breaker of the client's request policy. What counts as a failure is the core's call
   * (timeouts and retryable failures); the breaker only decides when to open: when both of the last
   * two calls failed.
   */
  private CircuitBreaker quoteBreaker() {
    return CircuitBreaker.of(
        "quote-service",
        CircuitBreakerConfig.custom()
            .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
            .slidingWindowSize(2)
            .minimumNumberOfCalls(2)
            .failureRateThreshold(100)
            .waitDurationInOpenState(settings.breakerPause())
            .permittedNumberOfCallsInHalfOpenState(1)
            .build());
  }

  /**
   * One request from the client, waited for. A call that was sent also waits until the breaker has
   * recorded its outcome: the core does that on the thread that completed the request, a moment
   * after the caller has been woken with the result.
   */
  private Outcome call(
      Messaging client, BreakerWatch watch, String quotes, QuoteRequest request, Duration timeout)
      throws InterruptedException {
    long recordedBefore = watch.recorded();
    long start = System.nanoTime();
    Throwable error = null;
    try {
      client.request(quotes, request, Quote.class, timeout).join();
    } catch (CompletionException e) {
      error = e.getCause() != null ? e.getCause() : e;
    }
    long took = millisSince(start);
    if (!(error instanceof CircuitOpenException)) {
      Waits.until(() -> watch.recorded() > recordedBefore, Duration.ofSeconds(2));
    }
    return new Outcome(error, took);
  }

  /** Follows the client's breaker: how many outcomes it has recorded, and its state changes. */
  private static final class BreakerWatch {
    private final CircuitBreaker breaker;
    private final AtomicLong recorded = new AtomicLong();
    private final List<String> transitions = new CopyOnWriteArrayList<>();
    private volatile CircuitBreaker.State announced;

    BreakerWatch(CircuitBreaker breaker) {
      this.breaker = breaker;
      this.announced = breaker.getState();
      breaker
          .getEventPublisher()
          .onSuccess(e -> recorded.incrementAndGet())
          .onError(e -> recorded.incrementAndGet())
          .onIgnoredError(e -> recorded.incrementAndGet())
          .onStateTransition(
              e -> {
                CircuitBreaker.StateTransition t = e.getStateTransition();
                transitions.add(t.getFromState() + " -> " + t.getToState());
                announced = t.getToState();
              });
    }

    long recorded() {
      return recorded.get();
    }

    /**
     * Waits briefly until the breaker is in {@code expected} and has announced it. A transition
     * caused by a call's outcome finishes on the thread that recorded it, possibly after the caller
     * has moved on; without this wait the line printed next could show the state before it, and the
     * next call could still be let through. If the breaker never gets there, the caller prints what
     * it is instead and the example's checks report it.
     */
    void settle(CircuitBreaker.State expected) throws InterruptedException {
      Waits.until(
          () -> breaker.getState() == expected && announced == expected, Duration.ofSeconds(2));
    }

    List<String> transitions() {
      return List.copyOf(transitions);
    }
  }

  /** How one client call ended: {@code error} is null on success. */
  private record Outcome(@Nullable Throwable error, long millis) {
    String describe() {
      if (error == null) {
        return "answered in " + millis + " ms";
      }
      if (error instanceof CircuitOpenException) {
        return "refused in " + millis + " ms without sending";
      }
      return error.getClass().getSimpleName() + " after " + millis + " ms";
    }
  }

  private static long millis(Optional<Duration> remaining) {
    return remaining.map(Duration::toMillis).orElse(-1L);
  }

  private static long millisSince(long nanos) {
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - nanos);
  }

  private static String yes(boolean b) {
    return b ? "yes" : "NO";
  }
}
