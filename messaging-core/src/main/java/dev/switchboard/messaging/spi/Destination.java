package dev.switchboard.messaging.spi;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A named place messages are sent to. A {@link Kind#TOPIC} fans out to every subscriber group; a
 * {@link Kind#QUEUE} hands each message to exactly one of its competing consumers.
 *
 * <p>Names are 1 to 200 characters of letters, digits, {@code . _ -}, so that they map to a Kafka
 * topic and a RabbitMQ queue or exchange name unchanged.
 */
public record Destination(Kind kind, String name) {
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,200}");

  /** What kind of delivery a destination promises. */
  public enum Kind {
    /** Publish-subscribe: every group gets every message, members of a group compete. */
    TOPIC,
    /** Work queue: each message is handled by one of the competing consumers. */
    QUEUE
  }

  public Destination {
    Objects.requireNonNull(kind, "kind");
    requireName(name, "destination name");
  }

  public static Destination topic(String name) {
    return new Destination(Kind.TOPIC, name);
  }

  public static Destination queue(String name) {
    return new Destination(Kind.QUEUE, name);
  }

  /** Validates a destination or group name, returning it. */
  public static String requireName(String name, String what) {
    Objects.requireNonNull(name, what);
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(
          what + " '" + name + "' must be 1-200 characters of letters, digits, '.', '_' or '-'");
    }
    return name;
  }

  @Override
  public String toString() {
    return (kind == Kind.TOPIC ? "topic:" : "queue:") + name;
  }
}
