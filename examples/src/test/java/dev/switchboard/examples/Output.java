package dev.switchboard.examples;

import java.io.PrintWriter;
import java.io.StringWriter;

/** Collects what an example prints, for tests to look at. */
final class Output {
  private final StringWriter text = new StringWriter();
  private final PrintWriter writer = new PrintWriter(text, true);

  PrintWriter writer() {
    return writer;
  }

  @Override
  public String toString() {
    writer.flush();
    return text.toString();
  }
}
