package dev.switchboard.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SampleTest {
  @Test
  void of_encodesToExactlyTheRequestedSize() {
    assertThat(Json.write(Sample.of(100))).hasSize(100);
    assertThat(Json.write(Sample.of(1024))).hasSize(1024);
  }

  @Test
  void withSeq_keepsTheEncodedSize() {
    Sample sample = Sample.of(100);
    assertThat(Json.write(sample.withSeq(123_456))).hasSize(100);
    assertThat(Json.read(Json.write(sample.withSeq(7))).seq()).isEqualTo(Sample.FIRST_SEQ + 7);
  }
}
