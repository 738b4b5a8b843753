package dev.switchboard.testkit.support;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/** Reads the last lines of a log file for error messages, without loading a large file whole. */
public final class FileTail {
  private static final int MAX_BYTES = 32 * 1024;

  private FileTail() {}

  /** Returns a titled block with the last {@code lines} lines of the file, or a note if absent. */
  public static String of(Path file, int lines) {
    if (!Files.isRegularFile(file)) {
      return "\n--- " + file + ": not written ---";
    }
    try (RandomAccessFile in = new RandomAccessFile(file.toFile(), "r")) {
      long start = Math.max(0, in.length() - MAX_BYTES);
      byte[] bytes = new byte[(int) (in.length() - start)];
      in.seek(start);
      in.readFully(bytes);
      List<String> all = Arrays.asList(new String(bytes, StandardCharsets.UTF_8).split("\n"));
      List<String> last = all.subList(Math.max(0, all.size() - lines), all.size());
      return "\n--- last " + last.size() + " lines of " + file + " ---\n" + String.join("\n", last);
    } catch (IOException e) {
      return "\n--- " + file + ": unreadable (" + e + ") ---";
    }
  }
}
