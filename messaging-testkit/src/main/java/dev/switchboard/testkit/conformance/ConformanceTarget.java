package dev.switchboard.testkit.conformance;

import dev.switchboard.messaging.spi.Capability;
import dev.switchboard.messaging.spi.Transport;
import java.time.Duration;
import java.util.Set;

/**
 * The transport a conformance suite runs against, and the broker behind it.
 *
 * <p>The kit calls {@link #create()} once for every simulated process: each {@code Messaging} in a
 * case gets a transport of its own, and all of them reach the same broker, so a message published
 * through one is consumed through another. The kit closes every transport it created at the end of
 * the case; closing one must not disturb the others or the broker.
 *
 * <p>Implementations must be thread-safe. The kit calls {@link #capabilities()} and {@link
 * #patience()} lazily, inside the test, so a target may connect to its broker on first use.
 */
public interface ConformanceTarget {
  /** A short name for test reports, such as {@code kafka}. */
  String name();

  /**
   * What the transport can do beyond the baseline. A case that needs a capability missing here is
   * skipped; every other case must pass. Usually the same set as {@link Transport#capabilities()}.
   */
  Set<Capability> capabilities();

  /** A new transport connected to the shared broker, ready to send and consume. */
  Transport create();

  /**
   * The longest the kit waits for something that should happen (a message to arrive, a dead letter
   * to appear). Only an upper bound: a passing case never waits it out. Raise it for a remote or
   * slow broker; the default suits a broker on the same machine.
   */
  default Duration patience() {
    return Duration.ofSeconds(30);
  }
}
