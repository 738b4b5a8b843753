package dev.switchboard.kafka;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.UUID;

/**
 * The names the transport derives from a destination and a group. Kafka limits topic and group
 * names to 249 characters; a derived name that would be longer keeps as much of the destination and
 * group as fits and replaces the rest with a hash, so it stays unique and stable.
 */
final class TopicNames {
  static final String REPLY_PREFIX = "sb.reply.";
  private static final int MAX_LENGTH = 249;

  private TopicNames() {}

  /** The topic a group's redeliveries with the given delay level wait in. */
  static String retry(String destination, String group, Duration level) {
    return derive(destination, group, ".retry-" + level.toMillis() + "ms");
  }

  /** The topic dead letters of a group are moved back through, consumed by that group only. */
  static String redrive(String destination, String group) {
    return derive(destination, group, ".redrive");
  }

  /** The dead-letter topic of a group. */
  static String deadLetter(String destination, String group) {
    return derive(destination, group, ".dlt");
  }

  /** The consumer group that records how far a dead-letter topic has been moved back. */
  static String movedGroup(String destination, String group) {
    return derive(destination, group, ".dlt.moved");
  }

  /** The consumer group that reads a work queue's retry and redrive topics. */
  static String queueRetryGroup(String queue, String group) {
    return derive(queue, group, ".retry");
  }

  /** A fresh reply topic name for one reply endpoint. */
  static String newReplyTopic() {
    return REPLY_PREFIX + UUID.randomUUID();
  }

  private static String derive(String destination, String group, String suffix) {
    String base = destination + "." + group;
    if (base.length() + suffix.length() <= MAX_LENGTH) {
      return base + suffix;
    }
    String hash = shortHash(base);
    int keep = MAX_LENGTH - suffix.length() - hash.length() - 1;
    return base.substring(0, keep) + "." + hash + suffix;
  }

  private static String shortHash(String text) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest, 0, 6);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }
}
