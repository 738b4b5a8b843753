package dev.switchboard.benchmarks;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The headers a hand-written B1 producer puts on each message so that it sends the same bytes as
 * the toolkit: the CloudEvents fields the toolkit writes (a fresh id, the type, the source, the
 * time, the spec version, the content type) and the attempt number. Built per message, with the
 * JDK's own formatting, as such a producer would.
 */
final class HandRolledHeaders {
  static final String TYPE = Sample.TYPE;
  static final String SOURCE = "benchmarks";
  static final String CONTENT_TYPE = "application/json";

  private HandRolledHeaders() {}

  static Map<String, String> next() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    Map<String, String> headers = new LinkedHashMap<>(16);
    headers.put("ce_id", new UUID(random.nextLong(), random.nextLong()).toString());
    headers.put("ce_type", TYPE);
    headers.put("ce_source", SOURCE);
    headers.put("ce_time", Instant.now().toString());
    headers.put("ce_specversion", "1.0");
    headers.put("content-type", CONTENT_TYPE);
    headers.put("sb_attempt", "1");
    return headers;
  }
}
