package dev.switchboard.testkit.ledger;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * The ledger files of one run: each child appends to {@code ledger-<pid>.csv} in the run directory,
 * one line per handling, {@code id,attempt,pid,outcome,startMicros}.
 *
 * <p>Each line is written with one {@code write} call on a file opened for appending, so it reaches
 * the operating system before the handler returns and survives a SIGKILL of the child. A kill in
 * the middle of that call can still leave a partial last line; the reader keeps only lines that end
 * in a newline and parse completely, so such a line counts as a handling that never finished.
 */
public final class LedgerFile implements AutoCloseable {
  private static final String PREFIX = "ledger-";
  private static final String SUFFIX = ".csv";

  private final FileChannel channel;

  private LedgerFile(FileChannel channel) {
    this.channel = channel;
  }

  /** Opens (creating if needed) the ledger of process {@code pid} in {@code runDirectory}. */
  public static LedgerFile open(Path runDirectory, long pid) {
    try {
      return new LedgerFile(
          FileChannel.open(
              runDirectory.resolve(PREFIX + pid + SUFFIX),
              StandardOpenOption.CREATE,
              StandardOpenOption.WRITE,
              StandardOpenOption.APPEND));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open the ledger of " + pid + " in " + runDirectory, e);
    }
  }

  /** Appends one handling; thread-safe. */
  public synchronized void append(Handling h) {
    String line =
        h.id()
            + ','
            + h.attempt()
            + ','
            + h.pid()
            + ','
            + h.outcome()
            + ','
            + h.startMicros()
            + '\n';
    ByteBuffer bytes = ByteBuffer.wrap(line.getBytes(StandardCharsets.UTF_8));
    try {
      while (bytes.hasRemaining()) {
        channel.write(bytes);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot append to the ledger", e);
    }
  }

  @Override
  public synchronized void close() {
    try {
      channel.close();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot close the ledger", e);
    }
  }

  /** Every complete handling in every ledger file of {@code runDirectory}. */
  public static List<Handling> readAll(Path runDirectory) {
    List<Handling> all = new ArrayList<>();
    try (DirectoryStream<Path> files =
        Files.newDirectoryStream(runDirectory, PREFIX + "*" + SUFFIX)) {
      for (Path file : files) {
        read(Files.readString(file, StandardCharsets.UTF_8), all);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the ledgers in " + runDirectory, e);
    }
    return all;
  }

  /** Parses the complete lines of one ledger into {@code into}; package-private for its test. */
  static void read(String text, List<Handling> into) {
    int start = 0;
    for (int end = text.indexOf('\n'); end >= 0; end = text.indexOf('\n', start)) {
      Handling h = parse(text.substring(start, end));
      if (h != null) {
        into.add(h);
      }
      start = end + 1;
    }
  }

  private static @org.jspecify.annotations.Nullable Handling parse(String line) {
    String[] f = line.split(",", -1);
    if (f.length != 5 || f[0].isEmpty()) {
      return null;
    }
    try {
      return new Handling(
          f[0],
          Integer.parseInt(f[1]),
          Long.parseLong(f[2]),
          Handling.Outcome.valueOf(f[3]),
          Long.parseLong(f[4]));
    } catch (IllegalArgumentException e) {
      return null;
    }
  }
}
