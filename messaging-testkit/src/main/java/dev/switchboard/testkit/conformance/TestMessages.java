package dev.switchboard.testkit.conformance;

import dev.switchboard.messaging.Messaging;

/** The payloads the suites exchange, and their logical type names. */
final class TestMessages {
  static final String ITEM = "sb.conformance.Item";
  static final String KEYED = "sb.conformance.Keyed";
  static final String QUESTION = "sb.conformance.Question";
  static final String ANSWER = "sb.conformance.Answer";

  /** A numbered message; negative numbers are probes that only check a consumer is receiving. */
  record Item(int n) {}

  /** The {@code seq}-th message of one ordering key. */
  record Keyed(String key, int seq) {}

  /** A request the responder answers after {@code delayMillis}. */
  record Question(int id, int delayMillis) {}

  /** The answer to the request numbered {@code id}. */
  record Answer(int id, String echo) {}

  static Messaging.Builder registerAll(Messaging.Builder builder) {
    return builder
        .register(ITEM, Item.class)
        .register(KEYED, Keyed.class)
        .register(QUESTION, Question.class)
        .register(ANSWER, Answer.class);
  }

  private TestMessages() {}
}
