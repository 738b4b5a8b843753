package dev.switchboard.messaging.spi;

import java.util.Objects;

/**
 * A named place messages are sent to. A {@link Kind#TOPIC} fans out to every subscriber group; a
 * {@link Kind#QUEUE} hands each message to exactly one of its competing consumers.
 *
 * <p>Names are 1 to 200 characters of letters, digits, {@code . _ -}, so that they map to a Kafka
 * topic and a RabbitMQ queue or exchange name unchanged.
 */
public record Destination(Kind kind, String name) {
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
    if (!validName(name)) {
      throw new IllegalArgumentException(
          what + " '" + name + "' must be 1-200 characters of letters, digits, '.', '_' or '-'");
    }
    return name;
  }

  // A loop rather than the regex: this runs on every publish.
  private static boolean validName(String name) {
    int n = name.length();
    if (n < 1 || n > 200) {
      return false;
    }
    for (int i = 0; i < n; i++) {
      char c = name.charAt(i);
      boolean ok =
          (c >= 'a' && c <= 'z')
              || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9')
              || c == '.'
              || c == '_'
              || c == '-';
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  @Override
  public String toString() {
    return (kind == Kind.TOPIC ? "topic:" : "queue:") + name;
  }
}
