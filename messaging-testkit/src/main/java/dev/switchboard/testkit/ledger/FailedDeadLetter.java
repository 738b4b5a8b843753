package dev.switchboard.testkit.ledger;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * One dead-letter publish that failed in a child: the stage the transport returned from {@code
 * Delivery.deadLetter} completed exceptionally, so the core kept the message and had to try again
 * or give it back.
 *
 * <p>Each child appends these to {@code dead-letter-failures-<pid>.tsv} in the run directory, one
 * tab-separated line per failure ({@code id, pid, microseconds since the epoch, error}) written
 * with one call on a file opened for appending, as the ledger lines are; a partial last line left
 * by SIGKILL is ignored.
 *
 * @param id the id of the message whose dead letter was refused
 * @param pid the child's process id
 * @param at when the failure reached the child (the wall clock every process here shares)
 * @param error the exception and its causes, outermost first, as {@code Class: message <- ...}
 */
public record FailedDeadLetter(String id, long pid, Instant at, String error) {
  private static final String PREFIX = "dead-letter-failures-";
  private static final String SUFFIX = ".tsv";
  private static final int MAX_ERROR = 600;

  public FailedDeadLetter {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(at, "at");
    Objects.requireNonNull(error, "error");
  }

  /** Appends the failure of the dead letter of {@code id} to the file of process {@code pid}. */
  static void append(Path runDirectory, long pid, String id, Throwable error) {
    long micros = ChronoUnit.MICROS.between(Instant.EPOCH, Instant.now());
    String line = id + '\t' + pid + '\t' + micros + '\t' + describe(error) + '\n';
    try {
      Files.write(
          runDirectory.resolve(PREFIX + pid + SUFFIX),
          line.getBytes(StandardCharsets.UTF_8),
          StandardOpenOption.CREATE,
          StandardOpenOption.WRITE,
          StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot record a failed dead-letter publish", e);
    }
  }

  /** Every complete line of every child's file in {@code runDirectory}, in no particular order. */
  static List<FailedDeadLetter> readAll(Path runDirectory) {
    List<FailedDeadLetter> all = new ArrayList<>();
    try (DirectoryStream<Path> files =
        Files.newDirectoryStream(runDirectory, PREFIX + "*" + SUFFIX)) {
      for (Path file : files) {
        read(Files.readString(file, StandardCharsets.UTF_8), all);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the failed dead-letter publishes", e);
    }
    return all;
  }

  /** Parses the complete lines of one file into {@code into}; package-private for its test. */
  static void read(String text, List<FailedDeadLetter> into) {
    int start = 0;
    for (int end = text.indexOf('\n'); end >= 0; end = text.indexOf('\n', start)) {
      FailedDeadLetter f = parse(text.substring(start, end));
      if (f != null) {
        into.add(f);
      }
      start = end + 1;
    }
  }

  private static @Nullable FailedDeadLetter parse(String line) {
    String[] f = line.split("\t", -1);
    if (f.length != 4 || f[0].isEmpty()) {
      return null;
    }
    try {
      return new FailedDeadLetter(
          f[0],
          Long.parseLong(f[1]),
          Instant.EPOCH.plus(Long.parseLong(f[2]), ChronoUnit.MICROS),
          f[3]);
    } catch (NumberFormatException e) {
      return null;
    }
  }

  /** The exception chain on one line, without tabs or line breaks, clipped. */
  static String describe(Throwable error) {
    StringBuilder out = new StringBuilder();
    Set<Throwable> seen = new HashSet<>();
    for (Throwable t = error; t != null && seen.add(t); t = t.getCause()) {
      if (out.length() > 0) {
        out.append(" <- ");
      }
      out.append(t.getClass().getName());
      if (t.getMessage() != null) {
        out.append(": ").append(t.getMessage());
      }
    }
    String flat = out.toString().replaceAll("[\\t\\r\\n]+", " ");
    return flat.length() <= MAX_ERROR ? flat : flat.substring(0, MAX_ERROR) + "...";
  }
}
