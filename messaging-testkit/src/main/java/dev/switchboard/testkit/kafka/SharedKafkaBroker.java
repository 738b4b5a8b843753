package dev.switchboard.testkit.kafka;

import org.jspecify.annotations.Nullable;

/**
 * The one broker per JVM behind {@link KafkaBroker#shared()}: a private broker with default
 * settings, or the external cluster named by {@value KafkaBroker#BOOTSTRAP_ENV}.
 *
 * <p>Tests share it, so it refuses to be stopped, killed, restarted or closed by them; it is closed
 * by the JVM shutdown hook of the broker it wraps, or earlier by {@link #shutdown()} when the JUnit
 * run ends. A later {@link #instance()} call then starts a fresh one.
 */
final class SharedKafkaBroker implements KafkaBroker {
  private static @Nullable SharedKafkaBroker current;

  private final KafkaBroker delegate;
  private volatile boolean shutDown;

  private SharedKafkaBroker(KafkaBroker delegate) {
    this.delegate = delegate;
  }

  static synchronized SharedKafkaBroker instance() {
    SharedKafkaBroker shared = current;
    if (shared == null || shared.shutDown) {
      String external = System.getenv(BOOTSTRAP_ENV);
      KafkaBroker delegate =
          external == null || external.isBlank()
              ? new LocalKafkaBroker(BrokerSettings.defaults())
              : new ExternalKafkaBroker(external);
      delegate.start();
      shared = new SharedKafkaBroker(delegate);
      current = shared;
    }
    return shared;
  }

  /** Closes the shared broker; called once the test run that used it is over. */
  void shutdown() {
    synchronized (SharedKafkaBroker.class) {
      shutDown = true;
      if (current == this) {
        current = null;
      }
    }
    delegate.close();
  }

  @Override
  public KafkaBroker start() {
    requireNotShutDown();
    return this;
  }

  @Override
  public void stop() {
    throw unsupported("stop");
  }

  @Override
  public void kill() {
    throw unsupported("kill");
  }

  @Override
  public KafkaBroker restart() {
    throw unsupported("restart");
  }

  @Override
  public boolean isRunning() {
    return !shutDown && delegate.isRunning();
  }

  @Override
  public String bootstrapServers() {
    return delegate.bootstrapServers();
  }

  @Override
  public void close() {
    throw unsupported("close");
  }

  @Override
  public String toString() {
    return "shared " + delegate;
  }

  private void requireNotShutDown() {
    if (shutDown) {
      throw new IllegalStateException(
          "the shared broker was shut down at the end of the test run; call"
              + " KafkaBroker.shared() again for a new one");
    }
  }

  private static UnsupportedOperationException unsupported(String what) {
    return new UnsupportedOperationException(
        "cannot "
            + what
            + " the shared broker: other tests use it; build a private one with"
            + " KafkaBroker.builder()");
  }
}
