package dev.switchboard.benchmarks;

import dev.switchboard.messaging.codec.JsonCodec;
import java.nio.charset.StandardCharsets;
import tools.jackson.databind.ObjectReader;
import tools.jackson.databind.ObjectWriter;

/**
 * The Jackson 3 writer and reader of the B1 baselines: built once, from the mapper the toolkit's
 * {@link JsonCodec} uses, so they produce and accept exactly the bytes the toolkit does.
 */
final class Json {
  static final ObjectWriter WRITER = JsonCodec.defaultMapper().writerFor(Sample.class);
  static final ObjectReader READER = JsonCodec.defaultMapper().readerFor(Sample.class);

  private Json() {}

  static byte[] write(Sample sample) {
    return WRITER.writeValueAsBytes(sample);
  }

  static Sample read(byte[] body) {
    return READER.readValue(body);
  }

  static int size(Sample sample) {
    return write(sample).length;
  }

  static String text(Sample sample) {
    return new String(write(sample), StandardCharsets.UTF_8);
  }
}
