package dev.switchboard.examples;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/**
 * Shows how far a batch has got while it runs: a bar redrawn in place on a terminal, or a plain
 * line now and then when the output goes to a file or a pipe, where carriage returns would only
 * make a mess.
 */
final class Progress implements AutoCloseable {
  private static final int WIDTH = 30;

  private final PrintWriter out;
  private final boolean bar;
  private final int total;
  private final IntSupplier done;
  private final Supplier<String> detail;
  private final Thread painter;
  private volatile boolean running = true;

  /**
   * @param bar whether to draw a bar in place; give {@code System.console() != null}
   * @param done how many of {@code total} are finished
   * @param detail a few words after the count, such as the retries so far
   */
  Progress(PrintWriter out, boolean bar, int total, IntSupplier done, Supplier<String> detail) {
    this.out = out;
    this.bar = bar;
    this.total = total;
    this.done = done;
    this.detail = detail;
    Duration every = bar ? Duration.ofMillis(100) : Duration.ofSeconds(1);
    this.painter =
        new Thread(
            () -> {
              while (running) {
                try {
                  Thread.sleep(every.toMillis());
                } catch (InterruptedException e) {
                  return;
                }
                if (running) {
                  paint(false);
                }
              }
            },
            "demo-progress");
    painter.setDaemon(true);
  }

  Progress start() {
    painter.start();
    return this;
  }

  /** Stops redrawing and leaves the final state on screen. */
  @Override
  public void close() {
    running = false;
    painter.interrupt();
    try {
      painter.join(1000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (bar) {
      paint(true);
    }
  }

  private synchronized void paint(boolean last) {
    int n = Math.min(done.getAsInt(), total);
    if (bar) {
      int filled = total == 0 ? WIDTH : (int) ((long) n * WIDTH / total);
      out.printf(
          Locale.ROOT,
          "\r  [%s%s] %d/%d %-36s",
          "#".repeat(filled),
          "-".repeat(WIDTH - filled),
          n,
          total,
          detail.get());
      if (last) {
        out.println();
      }
      out.flush();
    } else {
      out.printf(Locale.ROOT, "  progress: %d/%d settled, %s%n", n, total, detail.get());
    }
  }
}
