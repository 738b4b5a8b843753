package dev.switchboard.benchmarks;

import dev.switchboard.messaging.codec.JsonCodec;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@link JsonCodec} against a Jackson writer and reader built once ({@code raw*}): the difference
 * is what the codec adds on top of Jackson. Public because JMH requires it.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class CodecBenchmark {
  @Param({"100", "1024"})
  public int bytes;

  private final JsonCodec codec = JsonCodec.create();
  private Sample sample;
  private byte[] encoded;

  @Setup
  public void setUp() {
    sample = Sample.of(bytes);
    encoded = Json.write(sample);
  }

  @Benchmark
  public byte[] encode() {
    return codec.encode(sample);
  }

  @Benchmark
  public Sample decode() {
    return codec.decode(encoded, Sample.class);
  }

  @Benchmark
  public byte[] rawEncode() {
    return Json.WRITER.writeValueAsBytes(sample);
  }

  @Benchmark
  public Sample rawDecode() {
    return Json.READER.readValue(encoded);
  }
}
