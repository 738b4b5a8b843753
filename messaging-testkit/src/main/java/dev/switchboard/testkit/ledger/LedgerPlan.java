package dev.switchboard.testkit.ledger;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;

/**
 * What one ledger run sends and how each message behaves, written by the parent into the run
 * directory and read back by every child, so that both sides agree without talking.
 *
 * <p>Message {@code i} has id {@code m-<i>} and key {@code k-<i mod keys>}; the messages of one key
 * are numbered in publish order. Failures are decided by a hash of the id, never by chance:
 *
 * <ul>
 *   <li>about one message in a hundred is <em>fatal</em>: every handling throws {@code
 *       FatalMessageException}, so it must end in the dead-letter queue exactly once;
 *   <li>a handling of any other message throws {@code RetryableException} when its attempt is 1 or
 *       2 and the hash of id and attempt falls in the lowest tenth, so about one handling in ten
 *       fails and attempt 3 always succeeds, far from any retry limit;
 *   <li>the message at {@link #stallIndex()} (or the next non-fatal one) stalls its handler once,
 *       for {@link #stall()}, on whichever child gets it first.
 * </ul>
 *
 * @param mode publish-subscribe or work queue
 * @param destination the topic or queue
 * @param group the subscriber group; for a work queue, the queue's name
 * @param messages how many messages the parent sends
 * @param keys how many distinct keys they spread over
 * @param concurrency handlers at once in each child
 * @param stallIndex the index of the message that stalls, or -1 for none
 * @param stall how long it stalls
 * @param transport transport settings for the children (broker address and the like)
 */
public record LedgerPlan(
    Mode mode,
    String destination,
    String group,
    int messages,
    int keys,
    int concurrency,
    int stallIndex,
    Duration stall,
    Map<String, String> transport) {
  private static final String FILE = "plan.properties";
  private static final String TRANSPORT_PREFIX = "transport.";

  /** How the children consume. */
  public enum Mode {
    /** {@code Messaging.subscribe(destination, group, ..)}. */
    PUB_SUB,
    /** {@code Messaging.consume(destination, ..)}. */
    WORK_QUEUE
  }

  public LedgerPlan {
    Objects.requireNonNull(mode, "mode");
    Objects.requireNonNull(destination, "destination");
    Objects.requireNonNull(group, "group");
    Objects.requireNonNull(stall, "stall");
    transport = Map.copyOf(transport);
    if (messages < 1 || keys < 1 || concurrency < 1) {
      throw new IllegalArgumentException(
          "messages, keys and concurrency must be >= 1, were "
              + messages
              + ", "
              + keys
              + ", "
              + concurrency);
    }
    if (stallIndex >= messages) {
      throw new IllegalArgumentException(
          "stallIndex " + stallIndex + " is beyond the " + messages + " messages");
    }
  }

  /** The id of message {@code index}. */
  public static String id(int index) {
    return String.format("m-%06d", index);
  }

  /** The job sent as message {@code index}. */
  public LedgerJob job(int index) {
    return new LedgerJob(id(index), "k-" + (index % keys), index / keys);
  }

  /** Every job, in publish order. */
  public List<LedgerJob> jobs() {
    List<LedgerJob> all = new ArrayList<>(messages);
    for (int i = 0; i < messages; i++) {
      all.add(job(i));
    }
    return all;
  }

  /** Whether every handling of {@code id} fails fatally. */
  public static boolean isFatal(String id) {
    return Math.floorMod(mix(id, 0), 100) == 0;
  }

  /** Whether the handling of a non-fatal {@code id} at {@code attempt} fails transiently. */
  public static boolean failsTransiently(String id, int attempt) {
    return attempt <= 2 && Math.floorMod(mix(id, attempt), 10) == 0;
  }

  /** The id of the message that stalls, if any: the first non-fatal one from the stall index. */
  public Optional<String> stallId() {
    if (stallIndex < 0) {
      return Optional.empty();
    }
    for (int i = stallIndex; i < messages; i++) {
      if (!isFatal(id(i))) {
        return Optional.of(id(i));
      }
    }
    return Optional.empty();
  }

  /** Writes the plan into {@code runDirectory}, for the children. */
  public void save(Path runDirectory) {
    Properties p = new Properties();
    p.setProperty("mode", mode.name());
    p.setProperty("destination", destination);
    p.setProperty("group", group);
    p.setProperty("messages", Integer.toString(messages));
    p.setProperty("keys", Integer.toString(keys));
    p.setProperty("concurrency", Integer.toString(concurrency));
    p.setProperty("stallIndex", Integer.toString(stallIndex));
    p.setProperty("stallMillis", Long.toString(stall.toMillis()));
    transport.forEach((k, v) -> p.setProperty(TRANSPORT_PREFIX + k, v));
    try (Writer w = Files.newBufferedWriter(runDirectory.resolve(FILE), StandardCharsets.UTF_8)) {
      p.store(w, "ledger plan");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the ledger plan into " + runDirectory, e);
    }
  }

  /** Reads the plan the parent wrote into {@code runDirectory}. */
  public static LedgerPlan load(Path runDirectory) {
    Properties p = new Properties();
    try (Reader r = Files.newBufferedReader(runDirectory.resolve(FILE), StandardCharsets.UTF_8)) {
      p.load(r);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the ledger plan in " + runDirectory, e);
    }
    Map<String, String> transport = new LinkedHashMap<>();
    for (String name : p.stringPropertyNames()) {
      if (name.startsWith(TRANSPORT_PREFIX)) {
        transport.put(name.substring(TRANSPORT_PREFIX.length()), p.getProperty(name));
      }
    }
    return new LedgerPlan(
        Mode.valueOf(p.getProperty("mode")),
        p.getProperty("destination"),
        p.getProperty("group"),
        Integer.parseInt(p.getProperty("messages")),
        Integer.parseInt(p.getProperty("keys")),
        Integer.parseInt(p.getProperty("concurrency")),
        Integer.parseInt(p.getProperty("stallIndex")),
        Duration.ofMillis(Long.parseLong(p.getProperty("stallMillis"))),
        transport);
  }

  /** A well-spread hash of an id and a salt (a 64-bit finalizer over the string hash). */
  private static long mix(String id, int salt) {
    long h = id.hashCode() * 0x9E3779B97F4A7C15L + salt * 0xC2B2AE3D27D4EB4FL;
    h ^= h >>> 33;
    h *= 0xFF51AFD7ED558CCDL;
    h ^= h >>> 33;
    h *= 0xC4CEB9FE1A85EC53L;
    h ^= h >>> 33;
    return h;
  }
}
