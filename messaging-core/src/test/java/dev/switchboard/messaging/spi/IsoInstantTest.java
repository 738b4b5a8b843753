package dev.switchboard.messaging.spi;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Random;
import org.junit.jupiter.api.Test;

class IsoInstantTest {
  private static final long YEAR_0 = Instant.parse("0000-01-01T00:00:00Z").getEpochSecond();
  private static final long YEAR_10000 = Instant.parse("+10000-01-01T00:00:00Z").getEpochSecond();

  @Test
  void formatsExactlyAsInstantToString_atEveryPrecision() {
    Random random = new Random(7);
    for (int i = 0; i < 20_000; i++) {
      Instant instant = randomInstant(random);
      String text = IsoInstant.format(instant);
      assertThat(text).as("%s", instant).isEqualTo(instant.toString());
      assertThat(IsoInstant.parse(text)).isEqualTo(instant);
    }
  }

  @Test
  void formatsInstantsOutsideFourDigitYearsAsTheJdkDoes() {
    for (Instant instant :
        new Instant[] {
          Instant.MIN,
          Instant.MAX,
          Instant.ofEpochSecond(YEAR_0 - 1),
          Instant.ofEpochSecond(YEAR_10000)
        }) {
      assertThat(IsoInstant.format(instant)).isEqualTo(instant.toString());
    }
  }

  @Test
  void parsesEveryTextAsInstantParseDoes_includingTheOnesItHandsToTheJdk() {
    String[] texts = {
      "2026-12-04T20:11:57Z",
      "2026-12-04T20:11:57.1Z",
      "2026-12-04T20:11:57.123456789Z",
      "2024-02-29T00:00:00Z",
      "2023-02-29T00:00:00Z",
      "2026-13-01T00:00:00Z",
      "2026-12-32T00:00:00Z",
      "2026-12-04T24:00:00Z",
      "2026-12-04T23:60:00Z",
      "2026-12-31T23:59:60Z",
      "2026-12-04T20:11:57.Z",
      "2026-12-04T20:11:57.1234567890Z",
      "2026-12-04t20:11:57Z",
      "2026-12-04T20:11:57z",
      "2026-12-04T20:11:57+01:00",
      "+10000-01-01T00:00:00Z",
      "-0001-01-01T00:00:00Z",
      "2026-1a-04T20:11:57Z",
      "2026-12-04T20:11:5xZ",
      "2026-12-04 20:11:57Z",
      "",
      "Z",
      "0000-01-01T00:00:00Z",
      "9999-12-31T23:59:59.999999999Z",
      "2026-12-31T23:59:60.5Z",
      "2026-12-04T20:11:57-00:00",
      "2026-12-04T20:11:57+00:00",
    };
    for (String text : texts) {
      assertThat(outcome(() -> IsoInstant.parse(text)))
          .as(text)
          .isEqualTo(outcome(() -> Instant.parse(text)));
    }
  }

  private static Object outcome(java.util.function.Supplier<Instant> parse) {
    try {
      return parse.get();
    } catch (RuntimeException e) {
      return e.getClass();
    }
  }

  private static Instant randomInstant(Random random) {
    long seconds = YEAR_0 + (long) (random.nextDouble() * (YEAR_10000 - YEAR_0));
    Instant base = Instant.ofEpochSecond(seconds, random.nextInt(1_000_000_000));
    return switch (random.nextInt(4)) {
      case 0 -> base.truncatedTo(ChronoUnit.SECONDS);
      case 1 -> base.truncatedTo(ChronoUnit.MILLIS);
      case 2 -> base.truncatedTo(ChronoUnit.MICROS);
      default -> base;
    };
  }
}
