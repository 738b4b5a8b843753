package dev.switchboard.benchmarks;

import dev.switchboard.messaging.ConsumerOptions;
import dev.switchboard.messaging.Envelope;
import dev.switchboard.messaging.Messaging;
import dev.switchboard.messaging.codec.BytesCodec;
import dev.switchboard.messaging.spi.WireMessage;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The core's dispatch path on one thread, through a {@link DirectTransport} that costs nothing:
 * publish (envelope, encode, send), and delivery (decode, handler context, handler, ack). With
 * {@code byte[]} payloads nothing is encoded or copied, so what these measure is the toolkit's own
 * cost per message beyond the payload. Public because JMH requires it.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class DispatchBenchmark {
  @Param({"100", "1024"})
  public int bytes;

  private Messaging roundTrip;
  private Messaging publishOnly;
  private Messaging jsonRoundTrip;
  private DirectTransport deliverOnly;
  private byte[] payload;
  private Sample sample;
  private WireMessage wire;
  private long handled;

  @Setup(Level.Trial)
  public void setUp() {
    sample = Sample.of(bytes);
    payload = Json.write(sample);
    roundTrip = messaging(new DirectTransport());
    roundTrip.subscribe(
        "bench-direct",
        "bench",
        byte[].class,
        (value, context) -> handled += value.length,
        ConsumerOptions.defaults());
    jsonRoundTrip = messaging(new DirectTransport());
    jsonRoundTrip.subscribe(
        "bench-direct",
        "bench",
        Sample.class,
        (value, context) -> handled += value.seq(),
        ConsumerOptions.defaults());
    publishOnly = messaging(new DirectTransport());
    deliverOnly = new DirectTransport();
    Messaging consumer = messaging(deliverOnly);
    consumer.subscribe(
        "bench-direct",
        "bench",
        byte[].class,
        (value, context) -> handled += value.length,
        ConsumerOptions.defaults());
    wire =
        new WireMessage(
            Envelope.builder()
                .contentType(BytesCodec.CONTENT_TYPE)
                .source("benchmarks")
                .time(Instant.now())
                .build(),
            payload);
  }

  private static Messaging messaging(DirectTransport transport) {
    return Messaging.builder()
        .transport(transport)
        .register(Sample.TYPE, Sample.class)
        .source("benchmarks")
        .build();
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    roundTrip.close();
    jsonRoundTrip.close();
    publishOnly.close();
  }

  /** Publish to handler to ack, bytes payload: the whole per-message cost of the toolkit. */
  @Benchmark
  public CompletableFuture<Envelope> roundTripBytes() {
    return roundTrip.publish("bench-direct", payload);
  }

  /** The same with the JSON codec on both ends: the toolkit plus Jackson. */
  @Benchmark
  public CompletableFuture<Envelope> roundTripJson() {
    return jsonRoundTrip.publish("bench-direct", sample);
  }

  /** The publishing half alone: envelope, bytes codec, send. */
  @Benchmark
  public CompletableFuture<Envelope> publishBytes() {
    return publishOnly.publish("bench-direct", payload);
  }

  /** The consuming half alone: a received message through decode, handler and ack. */
  @Benchmark
  public CompletionStage<Void> deliverBytes() {
    return deliverOnly.deliver(wire);
  }

  /** Jackson alone, encode and decode: what {@link #roundTripJson} adds over bytes. */
  @Benchmark
  public long jacksonRoundTrip() {
    return Json.read(Json.write(sample)).seq();
  }
}
