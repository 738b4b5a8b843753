package dev.switchboard.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

class RetryPolicyTest {
  private final RetryPolicy policy =
      RetryPolicy.builder()
          .maxAttempts(100)
          .initialDelay(Duration.ofMillis(100))
          .multiplier(2.0)
          .maxDelay(Duration.ofSeconds(30))
          .build();

  @Test
  void firstRetryWaitsTheInitialDelay() {
    assertThat(policy.nominalDelay(1)).isEqualTo(Duration.ofMillis(100));
    assertThat(policy.nominalDelay(2)).isEqualTo(Duration.ofMillis(200));
    assertThat(policy.nominalDelay(3)).isEqualTo(Duration.ofMillis(400));
  }

  @ParameterizedTest
  @ValueSource(ints = {10, 30, 60, 61, 64, 100, 1_000, 1_000_000, Integer.MAX_VALUE})
  void largeAttemptNumbersNeitherOverflowNorExceedTheMaximum(int attempt) {
    Duration nominal = policy.nominalDelay(attempt);
    assertThat(nominal).isEqualTo(Duration.ofSeconds(30));
    for (double r : new double[] {0.0, 0.5, 0.999_999}) {
      Duration d = policy.delay(attempt, r);
      assertThat(d).isBetween(Duration.ZERO, Duration.ofSeconds(30));
    }
  }

  @Test
  void delaysGrowMonotonicallyUpToTheCap() {
    Duration previous = Duration.ZERO;
    for (int attempt = 1; attempt <= 200; attempt++) {
      Duration d = policy.nominalDelay(attempt);
      assertThat(d).isGreaterThanOrEqualTo(previous).isLessThanOrEqualTo(policy.maxDelay());
      previous = d;
    }
  }

  @ParameterizedTest
  @EnumSource(Jitter.class)
  void everyJitterStaysWithinItsRange(Jitter jitter) {
    RetryPolicy p =
        RetryPolicy.builder().initialDelay(Duration.ofSeconds(1)).jitter(jitter).build();
    for (double r = 0; r < 1; r += 0.01) {
      Duration d = p.delay(1, r);
      switch (jitter) {
        case NONE -> assertThat(d).isEqualTo(Duration.ofSeconds(1));
        case FULL -> assertThat(d).isBetween(Duration.ZERO, Duration.ofSeconds(1));
        case EQUAL -> assertThat(d).isBetween(Duration.ofMillis(500), Duration.ofSeconds(1));
      }
    }
  }

  @Test
  void fullJitterIsTheDefault() {
    assertThat(RetryPolicy.defaults().jitter()).isEqualTo(Jitter.FULL);
    assertThat(RetryPolicy.defaults().delay(1, 0.0)).isEqualTo(Duration.ZERO);
  }

  @Test
  void multiplierOfOneKeepsTheDelayConstant() {
    RetryPolicy p =
        RetryPolicy.builder().multiplier(1.0).initialDelay(Duration.ofMillis(250)).build();
    assertThat(p.nominalDelay(1)).isEqualTo(p.nominalDelay(500)).isEqualTo(Duration.ofMillis(250));
  }

  @Test
  void redeliveryDelaysListTheBrokerTierLevels() {
    RetryPolicy p =
        RetryPolicy.builder()
            .maxAttempts(6)
            .inProcessAttempts(2)
            .initialDelay(Duration.ofMillis(100))
            .maxDelay(Duration.ofMillis(500))
            .build();
    // Attempts 2..5 fail into the broker tier: 200, 400, 500 (capped), 500.
    assertThat(p.redeliveryDelays())
        .containsExactly(Duration.ofMillis(200), Duration.ofMillis(400), Duration.ofMillis(500));
  }

  @Test
  void classificationHonoursTypesThenTheExceptionThenThePredicate() {
    RetryPolicy p =
        RetryPolicy.builder()
            .fatalOn(IllegalArgumentException.class)
            .retryOn(UncheckedIOException.class)
            .fatalWhen(t -> t.getMessage() != null && t.getMessage().contains("poison"))
            .build();
    assertThat(p.isRetryable(new IllegalArgumentException())).isFalse();
    assertThat(p.isRetryable(new UncheckedIOException(new IOException("io")))).isTrue();
    assertThat(p.isRetryable(new DecodeException("bad"))).isFalse();
    assertThat(p.isRetryable(new RequestTimeoutException("slow"))).isTrue();
    assertThat(p.isRetryable(new IOException("poison pill"))).isFalse();
    assertThat(p.isRetryable(new IOException("flaky"))).isTrue();
    assertThat(p.isRetryable(new CompletionException(new IllegalArgumentException()))).isFalse();
  }

  @Test
  void conflictingOrRepeatedSettingsAreRejectedAtTheCall() {
    assertThatThrownBy(() -> RetryPolicy.builder().maxAttempts(3).maxAttempts(4))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("maxAttempts");
    assertThatThrownBy(
            () ->
                RetryPolicy.builder()
                    .initialDelay(Duration.ofSeconds(5))
                    .maxDelay(Duration.ofSeconds(1))
                    .build())
        .hasMessageContaining("initialDelay")
        .hasMessageContaining("maxDelay");
    assertThatThrownBy(() -> RetryPolicy.builder().multiplier(0.5))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> policy.delay(1, 1.0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> policy.nominalDelay(0)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void nominalDelaysAreExactMultiplesWithoutFloatingPointDrift() {
    RetryPolicy p = RetryPolicy.defaults();
    assertThat(p.nominalDelay(4)).isEqualTo(Duration.ofMillis(1600));
    RetryPolicy tenths =
        RetryPolicy.builder()
            .initialDelay(Duration.ofMillis(100))
            .multiplier(1.5)
            .maxDelay(Duration.ofMinutes(10))
            .build();
    assertThat(tenths.nominalDelay(3)).isEqualTo(Duration.ofMillis(225));
    assertThat(tenths.nominalDelay(5)).isEqualTo(Duration.ofNanos(506_250_000));
  }

  @Test
  void generatedIdsAreVersionFourUuids() {
    java.util.Set<String> ids = new java.util.HashSet<>();
    for (int i = 0; i < 10_000; i++) {
      java.util.UUID id = java.util.UUID.fromString(Envelope.builder().build().id());
      assertThat(id.version()).isEqualTo(4);
      assertThat(id.variant()).isEqualTo(2);
      ids.add(id.toString());
    }
    assertThat(ids).hasSize(10_000);
  }
}
