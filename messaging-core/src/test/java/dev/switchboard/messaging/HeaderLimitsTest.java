package dev.switchboard.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.switchboard.messaging.HeadersTooLargeException.Measure;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class HeaderLimitsTest {
  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "plain ascii",
        "d\u00e9j\u00e0 vu",
        "\u20ac and \u4e2d\u6587",
        "a clef \ud834\udd1e between",
        "lone high \ud800 surrogate",
        "lone low \udc00 surrogate",
        "ends in a high surrogate \ud83d"
      })
  void utf8LengthCountsWhatTheEncoderWrites(String s) {
    assertThat(HeaderLimits.utf8Length(s)).isEqualTo(s.getBytes(StandardCharsets.UTF_8).length);
  }

  @Test
  void headersAtBothLimitsPassAndOneMoreOfEitherIsRefused() {
    HeaderLimits limits = new HeaderLimits(2, 10);
    Map<String, String> atLimits = Map.of("ab", "cde", "f", "ghij");

    limits.checkOutgoing("orders", atLimits);

    HeadersTooLargeException count =
        catchThrowableOfType(
            HeadersTooLargeException.class,
            () -> limits.checkOutgoing("orders", Map.of("a", "", "b", "", "c", "")));
    assertThat(count.measure()).isEqualTo(Measure.COUNT);
    assertThat(count.size()).isEqualTo(3);
    assertThat(count.limit()).isEqualTo(2);
    assertThat(count.isRetryable()).isFalse();
    assertThat(count.getMessage()).contains("'orders'").contains("maxHeaders(..)");
    HeadersTooLargeException bytes =
        catchThrowableOfType(
            HeadersTooLargeException.class,
            () -> limits.checkOutgoing("orders", Map.of("ab", "cde", "f", "ghi\u00e9")));
    assertThat(bytes.measure()).isEqualTo(Measure.BYTES);
    assertThat(bytes.size()).isEqualTo(11);
    assertThat(bytes.limit()).isEqualTo(10);
    assertThat(bytes.getMessage()).contains("'orders'").contains("maxHeaderBytes(..)");
  }

  @Test
  void aReceivedMessageMayCarryTheToolkitsHeadroomBeyondTheLimits() {
    HeaderLimits limits = new HeaderLimits(1, 4);
    Map<String, String> withinHeadroom = numbered(1 + HeaderLimits.HEADROOM_COUNT);
    Map<String, String> overHeadroom = numbered(2 + HeaderLimits.HEADROOM_COUNT);

    assertThat(limits.checkReceived("jobs", withinHeadroom)).isEmpty();
    HeadersTooLargeException e = limits.checkReceived("jobs", overHeadroom).orElseThrow();

    assertThat(e.measure()).isEqualTo(Measure.COUNT);
    assertThat(e.size()).isEqualTo(overHeadroom.size());
    assertThat(e.limit()).isEqualTo(1 + HeaderLimits.HEADROOM_COUNT);
    assertThat(e.getMessage()).contains("'jobs'").contains("maxHeaders 1 plus");
    String fill = "x".repeat(4 + HeaderLimits.HEADROOM_BYTES - 1);
    assertThat(limits.checkReceived("jobs", Map.of("n", fill))).isEmpty();
    assertThat(limits.checkReceived("jobs", Map.of("n", fill + "x")))
        .hasValueSatisfying(over -> assertThat(over.measure()).isEqualTo(Measure.BYTES));
  }

  @Test
  void theHeadroomDoesNotOverflowAtTheLargestLimits() {
    HeaderLimits limits = new HeaderLimits(Integer.MAX_VALUE, Integer.MAX_VALUE);

    assertThat(limits.checkReceived("jobs", numbered(3))).isEmpty();
  }

  @Test
  void negativeLimitsAreRejected() {
    assertThatThrownBy(() -> new HeaderLimits(-1, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxHeaders");
    assertThatThrownBy(() -> new HeaderLimits(0, -1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxHeaderBytes");
  }

  private static Map<String, String> numbered(int n) {
    Map<String, String> headers = new LinkedHashMap<>();
    for (int i = 0; i < n; i++) {
      headers.put(Integer.toString(i), "");
    }
    return headers;
  }
}
