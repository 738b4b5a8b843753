package dev.switchboard.benchmarks;

/** The two payload sizes every scenario runs at. */
final class Sizes {
  static final int SMALL = 100;
  static final int LARGE = 1024;
  static final int[] ALL = {SMALL, LARGE};

  private Sizes() {}

  static String label(int bytes) {
    return bytes == LARGE ? "1KB" : bytes + "B";
  }
}
