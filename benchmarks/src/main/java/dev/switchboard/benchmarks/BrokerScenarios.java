package dev.switchboard.benchmarks;

import dev.switchboard.messaging.ConsumerOptions;
import dev.switchboard.messaging.Messaging;
import dev.switchboard.messaging.Subscription;
import dev.switchboard.messaging.spi.Destination;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;
import org.HdrHistogram.Recorder;
import org.jspecify.annotations.Nullable;

/**
 * The broker scenarios, written once for any {@link BrokerEnv}: publish, consume, request-reply,
 * open-loop latency and open-loop request-reply latency ({@link RequestLatency}), each the toolkit
 * against B1 (the raw client plus the same Jackson writer and reader) and, where bytes alone make
 * sense, B0 (the raw client sending bytes).
 */
final class BrokerScenarios {
  /** The toolkit's subscriber group on every topic. */
  static final String TOOLKIT_GROUP = "bench";

  /** Requests in flight in the request-reply scenarios. */
  static final int[] IN_FLIGHT = {1, 16, 128};

  /** Offered rates of the latency scenarios, in percent of the B1 pipe's capacity. */
  static final int[] LOAD_PERCENT = {25, 50};

  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

  private final BrokerEnv env;
  private final Profile profile;
  private final Comparison comparison;
  private final Predicate<String> selected;
  private final List<Row> rows = new ArrayList<>();

  /**
   * B1's request rate at the highest in-flight level, by payload size, once request-reply measured
   * it in this run: the capacity behind the request-reply latency rates.
   */
  private final Map<Integer, Double> requestCapacity = new HashMap<>();

  BrokerScenarios(
      BrokerEnv env, Profile profile, Comparison comparison, Predicate<String> selected) {
    this.env = env;
    this.profile = profile;
    this.comparison = comparison;
    this.selected = selected;
  }

  List<Row> runAll(boolean shareQueues) {
    for (int size : Sizes.ALL) {
      guarded(scenario(publishFamily(), size), () -> publish(size));
    }
    for (int size : Sizes.ALL) {
      String consume = shareQueues ? "consume-group" : "consume-manual-ack";
      guarded(scenario(consume, size), () -> consume(size, Destination.Kind.TOPIC, consume));
      // Share groups join slowly and the toolkit drains them slowly: 1 KB only in longer runs.
      if (shareQueues && (size == Sizes.SMALL || profile.allSizes())) {
        guarded(
            scenario("consume-share", size),
            () -> consume(size, Destination.Kind.QUEUE, "consume-share"));
      }
    }
    List<Integer> sizes =
        profile.allSizes() ? List.of(Sizes.SMALL, Sizes.LARGE) : List.of(Sizes.SMALL);
    RequestLatency requestLatency = new RequestLatency(env, profile, comparison, selected);
    for (int size : sizes) {
      for (int inFlight : IN_FLIGHT) {
        guarded(
            scenario("request-reply-inflight" + inFlight, size),
            () -> requestReply(size, inFlight));
      }
      guarded(
          scenario(RequestLatency.FAMILY, size),
          () -> requestLatency.run(size, requestCapacity.get(size), rows::add));
      guarded(scenario("latency", size), () -> latency(size));
    }
    return rows;
  }

  /** A scenario body that may throw. */
  @FunctionalInterface
  interface Body {
    void run() throws Exception;
  }

  /** Runs one scenario; a failure becomes a row of its own and the next scenario still runs. */
  private void guarded(String name, Body body) {
    try {
      body.run();
    } catch (Exception e) {
      comparison.note("  " + name + " failed: " + e);
      e.printStackTrace(System.err);
      rows.add(Row.skipped(name, "failed: " + e.getClass().getSimpleName()));
    }
  }

  /** RabbitMQ's publish waits for publisher confirms; Kafka's for acks=all. */
  private String publishFamily() {
    return env.name().equals("rabbitmq") ? "publish-confirms" : "publish";
  }

  private String scenario(String what, int size) {
    return scenarioName(env, what, size);
  }

  static String scenarioName(BrokerEnv env, String what, int size) {
    return env.name() + "-" + what + "-" + Sizes.label(size);
  }

  private Budget brokerBudget() {
    return new Budget(env.messages(profile), profile.maxRun());
  }

  // ---- publish ----

  private void publish(int size) throws Exception {
    String name = scenario(publishFamily(), size);
    if (!selected.test(name)) {
      return;
    }
    Sample sample = Sample.of(size);
    byte[] bytes = Json.write(sample);
    Destination tk = env.fresh(Destination.Kind.TOPIC, "pub");
    Destination raw = env.fresh(Destination.Kind.TOPIC, "pubraw");
    env.prepareToolkit(tk);
    env.prepareRaw(raw);
    Messaging m = env.messaging();
    int window = env.publishWindow();
    Side toolkit =
        closedLoop("switchboard", window, tk, (i, w) -> complete(m.publish(tk.name(), sample), w));
    Side b1 =
        closedLoop(
            "B1",
            window,
            raw,
            (i, w) -> env.raw().send(raw, Json.write(sample), HandRolledHeaders.next(), w));
    Side b0 = closedLoop("B0", window, raw, (i, w) -> env.raw().send(raw, bytes, w));
    rows.addAll(comparison.run(name, toolkit, b1, b0, brokerBudget(), profile.rounds()));
  }

  private static void complete(CompletableFuture<?> sent, Window w) {
    sent.whenComplete(
        (ok, error) -> {
          if (error == null) {
            w.complete();
          } else {
            w.fail();
          }
        });
  }

  /** What one closed-loop send does, given its index and the run's window. */
  @FunctionalInterface
  interface SendOne {
    void send(int index, Window window);
  }

  private Side closedLoop(
      String label, int windowSize, @Nullable Destination cleanUp, SendOne send) {
    return closedLoop(label, windowSize, cleanUp, null, send);
  }

  /** A closed loop that also reports the round trips {@code trips} recorded during each run. */
  private Side closedLoop(
      String label,
      int windowSize,
      @Nullable Destination cleanUp,
      @Nullable RoundTrips trips,
      SendOne send) {
    Window window = new Window(windowSize);
    return Side.of(
        label,
        budget -> {
          if (trips != null) {
            trips.reset();
          }
          Map<String, Double> out = Loops.closed(window, budget, i -> send.send(i, window));
          if (cleanUp != null) {
            env.afterPublish(cleanUp);
          }
          if (trips != null) {
            out.putAll(trips.percentiles());
          }
          return out;
        });
  }

  /**
   * Round trips of one request-reply side, from the call that sends a request to its reply, in an
   * HdrHistogram recorder that the reply threads write to. At one request in flight the loop waits
   * for each reply, so nothing is omitted; with more in flight a round trip includes its wait for a
   * place in the window.
   */
  static final class RoundTrips {
    private final Recorder recorder = new Recorder(Duration.ofSeconds(60).toNanos(), 3);

    void reset() {
      recorder.reset();
    }

    void record(long sentNanos) {
      recorder.recordValue(
          Math.min(Math.max(System.nanoTime() - sentNanos, 0), Duration.ofSeconds(60).toNanos()));
    }

    Map<String, Double> percentiles() {
      Map<String, Double> out = new LinkedHashMap<>();
      Loops.putPercentiles(out, "round trip ", recorder.getIntervalHistogram());
      return out;
    }
  }

  // ---- consume ----

  /** Starts a consumer in a new group whose every message completes {@code window}. */
  @FunctionalInterface
  interface Starter {
    AutoCloseable start(Destination destination, String group, Window window) throws Exception;
  }

  private void consume(int size, Destination.Kind kind, String what) throws Exception {
    String name = scenario(what, size);
    if (!selected.test(name)) {
      return;
    }
    Sample sample = Sample.of(size);
    Messaging m = env.messaging();
    ConsumerOptions options =
        ConsumerOptions.builder().concurrency(1).prefetch(env.prefetch()).build();
    int prefetch = env.prefetch();
    Starter toolkit =
        (d, group, w) -> {
          Subscription s =
              kind == Destination.Kind.TOPIC
                  ? m.subscribe(d.name(), group, Sample.class, (v, c) -> w.complete(), options)
                  : m.consume(d.name(), Sample.class, (v, c) -> w.complete(), options);
          return () -> settleThenClose(s);
        };
    Starter b1 =
        (d, group, w) ->
            env.raw()
                .consume(
                    d,
                    group,
                    prefetch,
                    (body, headers) -> {
                      if (isSample(headers) && Json.read(body).seq() >= 0) {
                        w.complete();
                      } else {
                        w.fail(); // counted and reported, never silently waited for
                      }
                    });
    Starter b0 =
        (d, group, w) -> env.raw().consume(d, group, prefetch, (body, headers) -> w.complete());
    rows.addAll(
        comparison.run(
            name,
            consumeSide("switchboard", kind, sample, toolkit),
            consumeSide("B1", kind, sample, b1),
            consumeSide("B0", kind, sample, b0),
            brokerBudget(),
            profile.rounds()));
  }

  /**
   * Gives the last acknowledgements a moment to reach the broker, then closes, so that a run does
   * not leave settled messages to be delivered again; bounded, never a drain's full timeout.
   */
  private static void settleThenClose(Subscription s) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(2).toNanos();
    while (s.stats().inFlight() > 0 && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    s.close();
  }

  /**
   * Each run fills a new destination with {@code n} messages published by the toolkit (so every
   * side reads the same records, headers included), outside the measured time, then starts a
   * consumer in a new group and measures from its first message to its last.
   */
  private Side consumeSide(String label, Destination.Kind kind, Sample sample, Starter starter) {
    Window window = new Window(Integer.MAX_VALUE);
    Window fill = new Window(env.publishWindow());
    return Side.of(
        label,
        budget -> {
          Destination d = env.fresh(kind, "con");
          boolean toolkit = label.equals("switchboard");
          String group;
          if (kind == Destination.Kind.QUEUE) {
            env.prepareToolkit(d);
            group = d.name();
          } else if (toolkit) {
            env.prepareToolkit(d);
            group = TOOLKIT_GROUP;
          } else {
            env.prepareRaw(d);
            group = d.name() + "-g";
          }
          Messaging m = env.messaging();
          Map<String, Double> filled =
              Loops.closed(
                  fill,
                  budget,
                  i ->
                      complete(
                          kind == Destination.Kind.TOPIC
                              ? m.publish(d.name(), sample)
                              : m.send(d.name(), sample),
                          fill));
          if (fill.failed() > 0 || fill.completed() < budget.messages()) {
            throw new IllegalStateException(
                "filling " + d + " failed: " + Comparison.format(filled));
          }
          window.reset(budget.messages());
          long start = System.nanoTime();
          try (AutoCloseable consumer = starter.start(d, group, window)) {
            window.awaitAll(budget.deadlineNanos(start));
          }
          return Throughput.of(window, 0, System.nanoTime());
        });
  }

  /**
   * What a hand-written B1 consumer reads of the envelope before decoding: the type, to choose its
   * reader, and the id, for its logs and deduplication.
   */
  private static boolean isSample(RawClient.Headers headers) {
    String id = headers.get("ce_id");
    return id != null && !id.isEmpty() && HandRolledHeaders.TYPE.equals(headers.get("ce_type"));
  }

  // ---- request-reply ----

  private void requestReply(int size, int inFlight) throws Exception {
    String name = scenario("request-reply-inflight" + inFlight, size);
    if (!selected.test(name)) {
      return;
    }
    Sample sample = Sample.of(size);
    byte[] bytes = Json.write(sample);
    Destination tk = env.fresh(Destination.Kind.QUEUE, "rr");
    Destination b1Queue = env.fresh(Destination.Kind.QUEUE, "rrjson");
    Destination b0Queue = env.fresh(Destination.Kind.QUEUE, "rrbytes");
    for (Destination d : List.of(tk, b1Queue, b0Queue)) {
      env.prepareToolkit(d);
    }
    Messaging m = env.messaging();
    ConsumerOptions options =
        ConsumerOptions.builder().concurrency(1).prefetch(env.prefetch()).build();
    Budget budget = new Budget(profile.requests(), profile.requestTime());
    try (Subscription responder = m.respond(tk.name(), Sample.class, (req, ctx) -> req, options);
        AutoCloseable json =
            env.raw().respond(b1Queue.name(), env.prefetch(), body -> Json.write(Json.read(body)));
        AutoCloseable echo = env.raw().respond(b0Queue.name(), env.prefetch(), body -> body);
        RawClient.Requester requester = env.raw().requester()) {
      RoundTrips toolkitTrips = new RoundTrips();
      RoundTrips b1Trips = new RoundTrips();
      RoundTrips b0Trips = new RoundTrips();
      Side toolkit =
          closedLoop(
              "switchboard",
              inFlight,
              null,
              toolkitTrips,
              (i, w) -> {
                long sent = System.nanoTime();
                complete(
                    m.request(tk.name(), sample, Sample.class, REQUEST_TIMEOUT)
                        .whenComplete((reply, error) -> toolkitTrips.record(sent)),
                    w);
              });
      Side b1 =
          closedLoop(
              "B1",
              inFlight,
              null,
              b1Trips,
              (i, w) -> {
                long sent = System.nanoTime();
                requester.request(
                    b1Queue.name(),
                    Json.write(sample),
                    reply -> {
                      b1Trips.record(sent);
                      if (Json.read(reply).seq() >= 0) {
                        w.complete();
                      }
                    });
              });
      Side b0 =
          closedLoop(
              "B0",
              inFlight,
              null,
              b0Trips,
              (i, w) -> {
                long sent = System.nanoTime();
                requester.request(
                    b0Queue.name(),
                    bytes,
                    reply -> {
                      b0Trips.record(sent);
                      w.complete();
                    });
              });
      for (Row row : comparison.run(name, toolkit, b1, b0, budget, profile.rounds())) {
        rows.add(row.metric().equals("round trip p50 us vs B1") ? withRoundTripGoal(row) : row);
        if (inFlight == IN_FLIGHT[IN_FLIGHT.length - 1]
            && row.metric().equals(Throughput.RATE + " vs B1")) {
          requestCapacity.put(size, row.baseline());
        }
      }
    }
  }

  /** The goal for request-reply: a median round trip at most 0.1 ms longer than B1's. */
  private static Row withRoundTripGoal(Row row) {
    boolean met = row.switchboard() - row.baseline() <= 100.0;
    return row.withGoal("p50 <= B1 + 0.1 ms: " + (met ? "met" : "MISSED"));
  }

  // ---- open-loop latency ----

  /** Starts a consumer of a new destination whose every sequence number goes to the sink. */
  @FunctionalInterface
  interface PipeStarter {
    AutoCloseable start(Destination destination, java.util.function.LongConsumer sink)
        throws Exception;
  }

  /** Sends one message with the given sequence number to a destination. */
  @FunctionalInterface
  interface PipeSender {
    void send(Destination destination, long seq);
  }

  private void latency(int size) throws Exception {
    String quarter = scenario("latency-25pct", size);
    String half = scenario("latency-50pct", size);
    if (!selected.test(quarter) && !selected.test(half)) {
      return;
    }
    Sample sample = Sample.of(size);
    Messaging m = env.messaging();
    ConsumerOptions options =
        ConsumerOptions.builder().concurrency(1).prefetch(env.prefetch()).build();
    Window ignored = new Window(Integer.MAX_VALUE);
    PipeStarter toolkitConsumer =
        (d, sink) -> {
          env.prepareToolkit(d);
          Subscription s =
              m.subscribe(
                  d.name(), TOOLKIT_GROUP, Sample.class, (v, c) -> sink.accept(v.seq()), options);
          return s::close;
        };
    PipeSender toolkitSend =
        (d, seq) ->
            m.publish(d.name(), sample.withSeq(seq))
                .exceptionally(
                    e -> {
                      ignored.fail();
                      return null;
                    });
    PipeStarter rawConsumer =
        (d, sink) -> {
          env.prepareRaw(d);
          return env.raw()
              .consume(
                  d,
                  d.name() + "-g",
                  env.prefetch(),
                  (body, headers) -> {
                    if (isSample(headers)) {
                      sink.accept(Json.read(body).seq());
                    }
                  });
        };
    PipeSender rawSend =
        (d, seq) ->
            env.raw().send(d, Json.write(sample.withSeq(seq)), HandRolledHeaders.next(), ignored);

    // B1 capacity: the raw pipe, closed loop, one warm-up run then one measured run.
    Destination pipe = env.fresh(Destination.Kind.TOPIC, "cap");
    Window capacityWindow = new Window(env.publishWindow());
    double capacity;
    try (AutoCloseable c = rawConsumer.start(pipe, seq -> capacityWindow.complete())) {
      Loops.closed(capacityWindow, brokerBudget(), i -> rawSend.send(pipe, i));
      capacity =
          Loops.closed(capacityWindow, brokerBudget(), i -> rawSend.send(pipe, i))
              .get(Throughput.RATE);
    }
    comparison.note(
        String.format(
            java.util.Locale.ROOT,
            "  %s B1 pipe capacity %,.0f msg/s (closed loop, send and consume)",
            env.name(),
            capacity));
    for (int pct : LOAD_PERCENT) {
      String name = pct == 25 ? quarter : half;
      if (!selected.test(name)) {
        continue;
      }
      double rate = Loops.offeredRate(capacity, pct);
      Budget budget =
          new Budget(
              Loops.sends(rate, profile.latencyTime()), profile.latencyTime().plusSeconds(2));
      Side toolkit = openLoop("switchboard", rate, toolkitConsumer, toolkitSend);
      Side b1 = openLoop("B1", rate, rawConsumer, rawSend);
      rows.addAll(comparison.run(name, toolkit, b1, null, budget, profile.rounds()));
    }
  }

  /**
   * One open-loop side. Every run uses a new destination and a new consumer, primed (one message
   * received) before the clock starts, so neither a consumer's join nor the backlog of a run it
   * could not keep up with leaks into the next run.
   */
  private Side openLoop(String label, double rate, PipeStarter starter, PipeSender sender) {
    return Side.of(
        label,
        budget -> {
          Destination d = env.fresh(Destination.Kind.TOPIC, "lat");
          Loops.OpenRun run = new Loops.OpenRun(rate);
          java.util.concurrent.CountDownLatch primed = new java.util.concurrent.CountDownLatch(1);
          try (AutoCloseable consumer =
              starter.start(
                  d,
                  seq -> {
                    if (Loops.OpenRun.isPrimer(seq - Sample.FIRST_SEQ)) {
                      primed.countDown();
                    } else {
                      run.received(seq - Sample.FIRST_SEQ);
                    }
                  })) {
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (!primed.await(100, java.util.concurrent.TimeUnit.MILLISECONDS)) {
              if (System.nanoTime() > deadline) {
                throw new IllegalStateException("no message came through " + d + " in 30 s");
              }
              sender.send(d, Loops.OpenRun.PRIMER);
            }
            return Loops.open(run, budget, seq -> sender.send(d, seq));
          }
        });
  }
}
