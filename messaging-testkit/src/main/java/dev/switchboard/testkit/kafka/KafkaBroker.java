package dev.switchboard.testkit.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.apache.kafka.clients.CommonClientConfigs;
import org.jspecify.annotations.Nullable;

/**
 * A Kafka cluster to run tests, examples and benchmarks against.
 *
 * <p>Three kinds exist:
 *
 * <ul>
 *   <li>{@link #builder()} builds a private single-node broker (KRaft, combined broker and
 *       controller) that runs in a child JVM. Its class path holds the Kafka server jars and
 *       nothing of the caller's, and the caller's class path needs only {@code kafka-clients}. Both
 *       listeners bind 127.0.0.1 on free ports; data lives in a temporary directory that {@link
 *       #close()} deletes. Every replication factor and minimum ISR is 1, group heartbeats and
 *       sessions are short, share groups are enabled and topics are not created on first use unless
 *       {@link Builder#autoCreateTopics()} says so.
 *   <li>{@link #shared()} is one broker per JVM, started on first use and stopped when the JVM
 *       exits (or when the JUnit run ends, through {@link KafkaBrokerExtension}). Tests must not
 *       stop, kill or restart it: those calls throw {@link UnsupportedOperationException}.
 *   <li>{@link #external(String)} is a cluster someone else runs. {@link #shared()} becomes one
 *       when the environment variable {@value #BOOTSTRAP_ENV} holds a bootstrap address. Nothing is
 *       started; {@link #stop()}, {@link #kill()} and {@link #restart()} throw {@link
 *       UnsupportedOperationException}.
 * </ul>
 *
 * <p>A private broker is started with {@link #start()}, which blocks until an admin client sees the
 * broker in the cluster metadata or the startup timeout passes. {@link #restart()} keeps the data
 * directory and both ports, so committed records, offsets and group state survive it. The broker
 * JVM stops by itself when the JVM that started it exits, even abruptly. All methods are
 * thread-safe; lifecycle calls are serialized.
 *
 * <p>Known limitation: no Testcontainers variant is provided. With a Docker engine at hand, start a
 * Kafka container and point {@value #BOOTSTRAP_ENV} at it.
 */
public sealed interface KafkaBroker extends AutoCloseable
    permits LocalKafkaBroker, ExternalKafkaBroker, SharedKafkaBroker {

  /** The environment variable that points {@link #shared()} at an external cluster. */
  String BOOTSTRAP_ENV = "SWITCHBOARD_KAFKA_BOOTSTRAP";

  /** Returns a builder for a private broker; {@link Builder#build()} does not start it. */
  static Builder builder() {
    return new Builder();
  }

  /**
   * Returns the broker shared by everything in this JVM, starting it on the first call. The
   * returned broker is running; it is an external cluster when {@value #BOOTSTRAP_ENV} is set.
   *
   * @throws KafkaBrokerException if the broker cannot be started or the external cluster cannot be
   *     reached
   */
  static KafkaBroker shared() {
    return SharedKafkaBroker.instance();
  }

  /**
   * Returns a handle on a cluster that is already running elsewhere. {@link #start()} only checks
   * that it can be reached.
   *
   * @param bootstrapServers a Kafka bootstrap address list, such as {@code 127.0.0.1:9092}
   */
  static KafkaBroker external(String bootstrapServers) {
    return new ExternalKafkaBroker(bootstrapServers);
  }

  /**
   * Starts the broker and waits until it serves requests.
   *
   * @return this broker
   * @throws IllegalStateException if it is already running or has been closed
   * @throws KafkaBrokerException if it exits early or is not ready within the startup timeout; the
   *     message ends with the tail of the broker log
   */
  KafkaBroker start();

  /**
   * Stops the broker gracefully, waiting for it to exit; it is killed if the shutdown timeout
   * passes. Does nothing if it is not running.
   */
  void stop();

  /** Kills the broker process at once (SIGKILL), as a crash would. Does nothing if not running. */
  void kill();

  /**
   * Stops the broker if it runs, then starts it again on the same ports and data directory.
   *
   * @return this broker
   */
  KafkaBroker restart();

  /** Whether the broker process is alive (for an external cluster: whether it was started). */
  boolean isRunning();

  /**
   * Returns the bootstrap address list for clients, such as {@code 127.0.0.1:40123}.
   *
   * @throws IllegalStateException if a private broker has never been started
   */
  String bootstrapServers();

  /**
   * Returns the bootstrap address of the SASL_SSL listener, if this broker was built with {@link
   * Builder#saslSslListener(SaslSslListener)}; empty for every other broker.
   *
   * @throws IllegalStateException if a private broker with that listener has never been started
   */
  default Optional<String> saslSslBootstrapServers() {
    return Optional.empty();
  }

  /** Returns a client configuration holding only {@code bootstrap.servers}, ready to extend. */
  default Map<String, Object> clientConfig() {
    Map<String, Object> config = new LinkedHashMap<>();
    config.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
    return config;
  }

  /** Stops a private broker and deletes its data directory; later lifecycle calls fail. */
  @Override
  void close();

  /**
   * Configures a private broker. Each setting may be given once; a repeated or conflicting setting
   * is rejected by the call that makes it.
   */
  final class Builder {
    private final Map<String, String> brokerProperties = new LinkedHashMap<>();
    private final List<String> jvmOptions = new ArrayList<>();
    private boolean autoCreateTopics;
    private @Nullable Duration startupTimeout;
    private @Nullable Duration shutdownTimeout;
    private @Nullable SaslSslListener saslSsl;

    private Builder() {}

    /** Lets the broker create a topic on first use ({@code auto.create.topics.enable=true}). */
    public Builder autoCreateTopics() {
      if (autoCreateTopics) {
        throw new IllegalStateException("autoCreateTopics() was already called");
      }
      autoCreateTopics = true;
      return this;
    }

    /**
     * Sets one broker configuration property, overriding the fixture's default for it. Listener,
     * quorum, role, node id and log directory settings belong to the fixture and are rejected, as
     * is {@code auto.create.topics.enable} (use {@link #autoCreateTopics()}), {@code
     * sasl.enabled.mechanisms} and anything under {@code listener.name.sasl_ssl.} (use {@link
     * #saslSslListener(SaslSslListener)}).
     */
    public Builder brokerProperty(String key, String value) {
      Objects.requireNonNull(key, "key");
      Objects.requireNonNull(value, "value");
      if (BrokerProperties.isManaged(key)) {
        throw new IllegalArgumentException(
            key + " is set by the fixture and cannot be overridden" + BrokerProperties.hint(key));
      }
      String previous = brokerProperties.putIfAbsent(key, value);
      if (previous != null) {
        throw new IllegalStateException(
            "broker property "
                + key
                + " was already set to '"
                + previous
                + "'; not setting '"
                + value
                + "'");
      }
      return this;
    }

    /**
     * Adds an option for the broker JVM, after the defaults {@code -Xmx512m -XX:+UseSerialGC}, so
     * that {@code -Xmx1g} replaces the default heap limit.
     */
    public Builder jvmOption(String option) {
      Objects.requireNonNull(option, "option");
      if (option.isBlank()) {
        throw new IllegalArgumentException("a JVM option must not be blank");
      }
      jvmOptions.add(option);
      return this;
    }

    /** How long {@link KafkaBroker#start()} waits for the broker; 60 seconds by default. */
    public Builder startupTimeout(Duration timeout) {
      requirePositive(timeout, "startupTimeout");
      if (startupTimeout != null) {
        throw new IllegalStateException(
            "startupTimeout was already set to " + startupTimeout + "; not setting " + timeout);
      }
      startupTimeout = timeout;
      return this;
    }

    /** How long {@link KafkaBroker#stop()} waits before killing; 30 seconds by default. */
    public Builder shutdownTimeout(Duration timeout) {
      requirePositive(timeout, "shutdownTimeout");
      if (shutdownTimeout != null) {
        throw new IllegalStateException(
            "shutdownTimeout was already set to " + shutdownTimeout + "; not setting " + timeout);
      }
      shutdownTimeout = timeout;
      return this;
    }

    /**
     * Adds a listener on another free 127.0.0.1 port that takes TLS connections and authenticates
     * with SASL (SCRAM-SHA-512, SCRAM-SHA-256 or PLAIN) the users it names; its address is {@link
     * KafkaBroker#saslSslBootstrapServers()}. The plaintext listener stays, for the fixture's own
     * readiness check and for tests that set up topics without credentials.
     */
    public Builder saslSslListener(SaslSslListener listener) {
      Objects.requireNonNull(listener, "listener");
      if (saslSsl != null) {
        throw new IllegalStateException(
            "saslSslListener was already set to " + saslSsl + "; not setting " + listener);
      }
      saslSsl = listener;
      return this;
    }

    /** Returns a private broker with these settings; it is not started. */
    public KafkaBroker build() {
      return new LocalKafkaBroker(
          new BrokerSettings(
              brokerProperties,
              autoCreateTopics,
              jvmOptions,
              startupTimeout == null ? Duration.ofSeconds(60) : startupTimeout,
              shutdownTimeout == null ? Duration.ofSeconds(30) : shutdownTimeout,
              Optional.ofNullable(saslSsl)));
    }

    private static void requirePositive(Duration timeout, String name) {
      Objects.requireNonNull(timeout, name);
      if (timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException(name + " must be positive, was " + timeout);
      }
    }
  }
}
