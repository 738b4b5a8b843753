package dev.switchboard.benchmarks;

import dev.switchboard.messaging.Envelope;
import dev.switchboard.messaging.spi.Destination;
import dev.switchboard.messaging.spi.WireHeaders;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The per-message metadata work of the core: building an envelope the way a publish does, the
 * pieces it is made of (the random id, the destination check), and mapping it to transport headers
 * and back. Public because JMH requires it.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class EnvelopeBenchmark {
  private final Clock clock = Clock.systemUTC();
  private Envelope envelope;
  private Map<String, String> headers;

  @Setup
  public void setUp() {
    envelope =
        Envelope.builder()
            .type(Sample.TYPE)
            .source("benchmarks")
            .time(Instant.now())
            .key("customer-1042")
            .header("tenant", "shop-eu")
            .build();
    headers = WireHeaders.toMap(envelope, WireHeaders.Key.IN_HEADER);
  }

  /** What a publish builds: type, content type, source, time, no user headers, no key. */
  @Benchmark
  public Envelope buildEnvelope() {
    return Envelope.builder()
        .type(Sample.TYPE)
        .contentType("application/json")
        .source("benchmarks")
        .time(clock.instant())
        .headers(Map.of())
        .key(null)
        .build();
  }

  /** The same with the id given, to show what the random id costs. */
  @Benchmark
  public Envelope buildEnvelopeWithId() {
    return Envelope.builder()
        .id("0b8a4c1e-5f2d-4e7a-9c3b-6d1f2a8e4b70")
        .type(Sample.TYPE)
        .contentType("application/json")
        .source("benchmarks")
        .time(clock.instant())
        .headers(Map.of())
        .key(null)
        .build();
  }

  @Benchmark
  public String randomId() {
    return UUID.randomUUID().toString();
  }

  /** Every publish makes a destination, whose name is checked against a pattern. */
  @Benchmark
  public Destination destination() {
    return Destination.topic("bench-memory");
  }

  @Benchmark
  public void headersWrite(Blackhole bh) {
    WireHeaders.write(envelope, WireHeaders.Key.IN_HEADER, (name, value) -> bh.consume(value));
  }

  /** Headers as an adapter would send them: names and UTF-8 values. */
  @Benchmark
  public void headersWriteUtf8(Blackhole bh) {
    WireHeaders.write(
        envelope,
        WireHeaders.Key.IN_HEADER,
        (name, value) -> bh.consume(value.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
  }

  @Benchmark
  public Map<String, String> headersToMap() {
    return WireHeaders.toMap(envelope, WireHeaders.Key.IN_HEADER);
  }

  @Benchmark
  public WireHeaders.Read headersRead() {
    return WireHeaders.read(headers, null, Instant.EPOCH);
  }

  @Benchmark
  public String timeFormat() {
    return envelope.time().toString();
  }

  @Benchmark
  public Instant timeParse() {
    return Instant.parse(headers.get(WireHeaders.TIME));
  }
}
