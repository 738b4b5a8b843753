package dev.switchboard.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.messaging.spi.WireHeaders;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WireHeadersTest {
  private final Instant now = Instant.parse("2026-05-05T05:05:05.123Z");

  @Test
  void everyEnvelopeFieldRoundTrips() {
    Envelope e =
        Envelope.builder()
            .type("OrderPlaced")
            .source("orders")
            .time(now)
            .key("o-1")
            .correlationId("c-1")
            .causationId("m-0")
            .replyTo("reply-here")
            .deadline(now.plusSeconds(3))
            .attempt(4)
            .header("tenant", "ünïcødé ✓")
            .header("empty", "")
            .contentType("application/json")
            .build();
    Map<String, String> map = WireHeaders.toMap(e, WireHeaders.Key.IN_HEADER);
    WireHeaders.Read read = WireHeaders.read(map, null, Instant.EPOCH);
    assertThat(read.problems()).isEmpty();
    assertThat(read.envelope()).isEqualTo(e);
    assertThat(map).containsEntry(WireHeaders.SPEC_VERSION, "1.0").containsEntry("ce_id", e.id());
  }

  @Test
  void messagesFromPlainClientsGetDefaults() {
    WireHeaders.Read read = WireHeaders.read(Map.of("custom", "v"), "k", now);
    assertThat(read.problems()).isEmpty();
    Envelope e = read.envelope();
    assertThat(e.id()).isNotEmpty();
    assertThat(e.attempt()).isEqualTo(1);
    assertThat(e.time()).isEqualTo(now);
    assertThat(e.key()).contains("k");
    assertThat(e.headers()).containsExactly(Map.entry("custom", "v"));
  }

  @Test
  void garbledAttemptAndDeadlineAreReportedNotThrown() {
    Map<String, String> map = new HashMap<>();
    map.put(WireHeaders.ATTEMPT, "three");
    map.put(WireHeaders.DEADLINE, "tomorrow-ish");
    map.put(WireHeaders.TIME, "not a time");
    map.put("", "an empty header name is skipped");
    WireHeaders.Read read = WireHeaders.read(map, null, now);
    assertThat(read.problems()).hasSize(3);
    assertThat(read.envelope().attempt()).isEqualTo(1);
    assertThat(read.envelope().time()).isEqualTo(now);
    WireHeaders.Read zero = WireHeaders.read(Map.of(WireHeaders.ATTEMPT, "0"), null, now);
    assertThat(zero.problems()).singleElement().asString().contains("must be >= 1");
  }

  @Test
  void invalidUtf8IsDetected() {
    assertThat(WireHeaders.utf8(new byte[] {(byte) 0xC3, (byte) 0x28})).isNull();
    assertThat(WireHeaders.utf8("ok ✓".getBytes(StandardCharsets.UTF_8))).isEqualTo("ok ✓");
    assertThat(WireHeaders.utf8("ascii-only 7".getBytes(StandardCharsets.US_ASCII)))
        .isEqualTo("ascii-only 7");
    assertThat(WireHeaders.utf8(new byte[0])).isEmpty();
  }

  @Test
  void aRealReplacementCharacterIsValid_whileMalformedBytesBesideItAreNot() {
    byte[] replacement = "bad \uFFFD char".getBytes(StandardCharsets.UTF_8);
    assertThat(WireHeaders.utf8(replacement)).isEqualTo("bad \uFFFD char");
    byte[] both = {(byte) 0xEF, (byte) 0xBF, (byte) 0xBD, (byte) 0xC3, (byte) 0x28};
    assertThat(WireHeaders.utf8(both)).isNull();
    // An encoded surrogate and an overlong encoding are malformed, though they decode leniently.
    assertThat(WireHeaders.utf8(new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80})).isNull();
    assertThat(WireHeaders.utf8(new byte[] {(byte) 0xC0, (byte) 0xAF})).isNull();
  }

  @Test
  void reservedNamesAreRecognised() {
    assertThat(WireHeaders.isReserved("ce_id")).isTrue();
    assertThat(WireHeaders.isReserved("SB_attempt")).isTrue();
    assertThat(WireHeaders.isReserved("x-death")).isTrue();
    assertThat(WireHeaders.isReserved("Content-Type")).isTrue();
    assertThat(WireHeaders.isReserved("tenant")).isFalse();
  }
}
