package dev.switchboard.kafka;

/** Whether the transport may create the topics it needs. */
public enum TopicCreation {
  /**
   * Create missing topics through the admin client, with the configured partition count and
   * replication factor.
   */
  AUTO,
  /**
   * Never create topics. A send to a missing topic fails with {@code DestinationNotFoundException},
   * and a consumer whose topics are missing (including its derived retry, redrive and dead-letter
   * topics) fails to start, naming the missing topic.
   */
  NONE
}
