package dev.switchboard.examples;

import static org.junit.jupiter.api.Assertions.fail;

import org.junit.jupiter.api.Assumptions;

/**
 * What a broker test does when its broker is missing: on CI ({@code CI=true}) that is a failure,
 * elsewhere the test is skipped with a one-line reason.
 */
final class Brokers {
  private Brokers() {}

  static void missing(String reason) {
    if ("true".equalsIgnoreCase(System.getenv("CI"))) {
      fail(reason + " (CI=true: the broker must be there)");
    }
    Assumptions.abort(reason + "; skipping");
  }
}
