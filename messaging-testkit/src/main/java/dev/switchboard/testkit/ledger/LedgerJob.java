package dev.switchboard.testkit.ledger;

import java.util.Objects;

/**
 * The payload of one ledger message.
 *
 * @param id the message id, also used as the envelope id
 * @param key the ordering key
 * @param seq the position of this message among the messages of its key, from 0
 */
public record LedgerJob(String id, String key, int seq) {
  /** The logical type name to register with {@code Messaging.builder().register(..)}. */
  public static final String TYPE = "LedgerJob";

  public LedgerJob {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(key, "key");
    if (seq < 0) {
      throw new IllegalArgumentException("seq must be >= 0, was " + seq);
    }
  }
}
