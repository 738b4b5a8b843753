package dev.switchboard.benchmarks;

import dev.switchboard.messaging.RetryPolicy;
import dev.switchboard.messaging.RetryableException;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The retry decision a failing delivery takes: is the failure retryable, and how long to wait.
 * Public because JMH requires it.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class RetryBenchmark {
  private final RetryPolicy defaults = RetryPolicy.defaults();
  private final RetryPolicy typed =
      RetryPolicy.builder()
          .fatalOn(IllegalArgumentException.class, UnsupportedOperationException.class)
          .retryOn(java.io.UncheckedIOException.class)
          .build();
  private final Throwable plain = new IllegalStateException("downstream said no");
  private final Throwable wrapped =
      new CompletionException(new RetryableException("downstream timed out"));
  private int attempt;

  @Benchmark
  public Duration delay() {
    attempt = attempt % 8 + 1;
    return defaults.delay(attempt, 0.37);
  }

  @Benchmark
  public boolean isRetryablePlain() {
    return defaults.isRetryable(plain);
  }

  @Benchmark
  public boolean isRetryableTypedRules() {
    return typed.isRetryable(plain);
  }

  @Benchmark
  public boolean isRetryableWrapped() {
    return typed.isRetryable(wrapped);
  }
}
