package dev.switchboard.testkit.rabbit;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Configures a {@link PrivateRabbitNode}; each setting may be given once. {@link #build()} does not
 * start the node. Not thread-safe.
 */
public final class PrivateRabbitNodeBuilder {
  private static final Pattern CONFIG_KEY = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.\\-]*");
  private static final Pattern ATOM = Pattern.compile("[a-z][A-Za-z0-9_]*");
  private static final Set<String> TLS_KEYS =
      Set.of(
          "ssl_options.cacertfile",
          "ssl_options.certfile",
          "ssl_options.keyfile",
          "ssl_options.verify",
          "ssl_options.fail_if_no_peer_cert");
  Duration startupTimeout = Duration.ofSeconds(60);
  Duration shutdownTimeout = Duration.ofSeconds(30);
  Path scriptsDirectory = PrivateRabbitNode.defaultScriptsDirectory();
  private boolean startupTimeoutSet;
  private boolean shutdownTimeoutSet;
  private boolean scriptsDirectorySet;
  final Map<String, String> config = new LinkedHashMap<>();
  final Map<String, String> advancedConfig = new LinkedHashMap<>();
  @Nullable Path tlsCertificate;
  @Nullable Path tlsPrivateKey;

  PrivateRabbitNodeBuilder() {}

  /** How long {@link PrivateRabbitNode#start()} waits for the node; 60 seconds by default. */
  public PrivateRabbitNodeBuilder startupTimeout(Duration timeout) {
    requirePositive(timeout, "startupTimeout");
    if (startupTimeoutSet) {
      throw new IllegalStateException(
          "startupTimeout was already set to " + startupTimeout + "; not setting " + timeout);
    }
    startupTimeoutSet = true;
    startupTimeout = timeout;
    return this;
  }

  /** How long {@link PrivateRabbitNode#stop()} waits before killing; 30 seconds by default. */
  public PrivateRabbitNodeBuilder shutdownTimeout(Duration timeout) {
    requirePositive(timeout, "shutdownTimeout");
    if (shutdownTimeoutSet) {
      throw new IllegalStateException(
          "shutdownTimeout was already set to " + shutdownTimeout + "; not setting " + timeout);
    }
    shutdownTimeoutSet = true;
    shutdownTimeout = timeout;
    return this;
  }

  /**
   * The directory holding the real {@code rabbitmq-server} and {@code rabbitmqctl} scripts (not a
   * distribution's {@code su} wrapper); {@value PrivateRabbitNode#SCRIPTS_ENV} or {@code
   * /usr/lib/rabbitmq/bin} by default.
   */
  public PrivateRabbitNodeBuilder scriptsDirectory(Path directory) {
    Objects.requireNonNull(directory, "directory");
    if (scriptsDirectorySet) {
      throw new IllegalStateException(
          "scriptsDirectory was already set to " + scriptsDirectory + "; not setting " + directory);
    }
    scriptsDirectorySet = true;
    scriptsDirectory = directory;
    return this;
  }

  /**
   * Adds the line {@code key = value} to the node's {@code rabbitmq.conf}, for instance {@code
   * config("consumer_timeout", "5000")}. Each key may be given once. The keys the fixture sets
   * itself ({@code listeners.*}, {@code log.console}, {@code log.file.level}, and the {@code
   * ssl_options} that {@link #tls} sets) are refused; other {@code ssl_options}, such as {@code
   * ssl_options.versions.1}, may be added. The broker refuses to start on a key or value it does
   * not know; {@link PrivateRabbitNode#start()} then fails with the tail of its log.
   */
  public PrivateRabbitNodeBuilder config(String key, String value) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(value, "value");
    if (!CONFIG_KEY.matcher(key).matches()) {
      throw new IllegalArgumentException(
          "config key '" + key + "' is not a rabbitmq.conf key (letters, digits, . _ -)");
    }
    if (key.startsWith("listeners.")
        || key.equals("log.console")
        || key.equals("log.file.level")
        || TLS_KEYS.contains(key)) {
      throw new IllegalArgumentException(
          "config key '" + key + "' is set by the fixture itself and cannot be changed");
    }
    requireOneLine(value, "config value for " + key);
    putOnce(config, key, value, "config");
    return this;
  }

  /**
   * Adds {@code {key, erlangTerm}} to the {@code rabbit} application's environment in the node's
   * {@code advanced.config}, for settings {@code rabbitmq.conf} does not offer. For instance {@code
   * advancedConfig("channel_tick_interval", "1000")} makes every channel check its consumer timeout
   * each second instead of each minute (the 3.10 default), so a short {@code consumer_timeout}
   * takes effect promptly. {@code erlangTerm} is written as given. Each key may be given once.
   */
  public PrivateRabbitNodeBuilder advancedConfig(String key, String erlangTerm) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(erlangTerm, "erlangTerm");
    if (!ATOM.matcher(key).matches()) {
      throw new IllegalArgumentException(
          "advanced config key '" + key + "' is not a plain Erlang atom such as tick_interval");
    }
    requireOneLine(erlangTerm, "advanced config term for " + key);
    putOnce(advancedConfig, key, erlangTerm, "advancedConfig");
    return this;
  }

  /**
   * Adds a TLS listener on 127.0.0.1 (its port is {@link PrivateRabbitNode#tlsPort()}) serving
   * {@code certificate} with {@code privateKey}, both PEM; the private key must not be encrypted.
   * Both files are copied into the node's directory on its first start. The plain listener stays,
   * for the node's own checks and for tests that want both. Clients are not asked for a
   * certificate.
   */
  public PrivateRabbitNodeBuilder tls(Path certificate, Path privateKey) {
    Objects.requireNonNull(certificate, "certificate");
    Objects.requireNonNull(privateKey, "privateKey");
    if (tlsCertificate != null) {
      throw new IllegalStateException(
          "tls(..) was already set to " + tlsCertificate + "; not setting " + certificate);
    }
    for (Path file : List.of(certificate, privateKey)) {
      if (!Files.isReadable(file)) {
        throw new IllegalArgumentException(file + " is not a readable file");
      }
    }
    tlsCertificate = certificate;
    tlsPrivateKey = privateKey;
    return this;
  }

  /**
   * Returns a node with these settings; it is not started.
   *
   * @throws RabbitBrokerException if the scripts directory lacks the server or CLI scripts
   */
  public PrivateRabbitNode build() {
    if (!RabbitCommands.installed(scriptsDirectory)) {
      throw new RabbitBrokerException(
          "no rabbitmq-server and rabbitmqctl scripts in "
              + scriptsDirectory
              + "; install rabbitmq-server or point "
              + PrivateRabbitNode.SCRIPTS_ENV
              + " at them");
    }
    return new PrivateRabbitNode(this);
  }

  private static void requireOneLine(String text, String what) {
    if (text.isBlank() || text.indexOf('\n') >= 0 || text.indexOf('\r') >= 0) {
      throw new IllegalArgumentException(what + " must be one non-blank line, was '" + text + "'");
    }
  }

  private static void putOnce(Map<String, String> to, String key, String value, String method) {
    String previous = to.putIfAbsent(key, value);
    if (previous != null) {
      throw new IllegalStateException(
          method + "(" + key + ") was already set to " + previous + "; not setting " + value);
    }
  }

  private static void requirePositive(Duration timeout, String name) {
    Objects.requireNonNull(timeout, name);
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException(name + " must be positive, was " + timeout);
    }
  }
}
