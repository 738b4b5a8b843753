package dev.switchboard.testkit.rabbit;

import dev.switchboard.testkit.support.FileTail;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.UserPrincipal;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.StringJoiner;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Assumptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A RabbitMQ node of its own, for tests that stop, kill or restart the broker without touching the
 * machine's node.
 *
 * <p>The node runs the installed RabbitMQ server ({@code /usr/lib/rabbitmq/bin} by default, or the
 * directory named by {@value #SCRIPTS_ENV}) with node name {@code sbtest-<random>@localhost}, an
 * AMQP listener and an Erlang distribution port of its own on 127.0.0.1, its own Erlang cookie and
 * a data directory under the system temporary directory; no plugin is enabled. Clients log in as
 * {@code guest}/{@code guest} from loopback. {@link PrivateRabbitNodeBuilder#config} and {@link
 * PrivateRabbitNodeBuilder#advancedConfig} add broker settings, such as a short {@code
 * consumer_timeout}. {@link PrivateRabbitNodeBuilder#tls} adds a TLS listener on 127.0.0.1 beside
 * the plain one, and {@link #addUser} creates a user with a password of the test's choosing.
 *
 * <p>Design note. The node is started detached ({@code rabbitmq-server -detached}), so it is not a
 * child of this JVM; it is tracked through its pid file, and readiness is {@code rabbitmqctl wait}
 * on that file, which returns once the broker application runs. {@link #stop()} is {@code
 * rabbitmqctl stop}, which waits for the OS process to end; {@link #kill()} sends SIGKILL to the
 * pid. The ports and the directory are chosen on the first start and kept until {@link #close()},
 * so {@link #restart()} brings back durable queues and persistent messages on the same address.
 * Lifecycle methods are {@code synchronized} and block the caller; no thread of its own exists. A
 * JVM shutdown hook kills a node that was never closed; a node outlives a JVM that is itself
 * killed, and if no epmd was running, the one the node started stays behind (on 127.0.0.1).
 */
public final class PrivateRabbitNode implements AutoCloseable {
  /** The environment variable naming the directory of {@code rabbitmq-server} and its CLI. */
  public static final String SCRIPTS_ENV = "SWITCHBOARD_RABBITMQ_SCRIPTS";

  private static final Logger LOG = LoggerFactory.getLogger(PrivateRabbitNode.class);
  private static final Path DEFAULT_SCRIPTS = Path.of("/usr/lib/rabbitmq/bin");
  private static final int TAIL_LINES = 30;

  private final Duration startupTimeout;
  private final Duration shutdownTimeout;
  private final RabbitCommands commands;
  private final Map<String, String> config;
  private final Map<String, String> advancedConfig;
  private final @Nullable Path tlsCertificate;
  private final @Nullable Path tlsPrivateKey;
  private @Nullable RabbitNodeLayout layout;
  private @Nullable ProcessHandle node;
  private @Nullable Thread shutdownHook;
  private boolean closed;

  PrivateRabbitNode(PrivateRabbitNodeBuilder builder) {
    this.startupTimeout = builder.startupTimeout;
    this.shutdownTimeout = builder.shutdownTimeout;
    this.commands = new RabbitCommands(builder.scriptsDirectory);
    this.config = Collections.unmodifiableMap(new LinkedHashMap<>(builder.config));
    this.advancedConfig = Collections.unmodifiableMap(new LinkedHashMap<>(builder.advancedConfig));
    this.tlsCertificate = builder.tlsCertificate;
    this.tlsPrivateKey = builder.tlsPrivateKey;
  }

  /** Returns a builder; {@link PrivateRabbitNodeBuilder#build()} does not start the node. */
  public static PrivateRabbitNodeBuilder builder() {
    return new PrivateRabbitNodeBuilder();
  }

  /**
   * Checks that RabbitMQ is installed where {@link PrivateRabbitNodeBuilder#build()} looks by
   * default. Otherwise, when the environment variable {@code CI} is {@code true}, throws {@link
   * RabbitBrokerException}; elsewhere aborts the calling test (JUnit reports it as skipped) with a
   * one-line reason.
   */
  public static void requireInstalled() {
    Path scripts = defaultScriptsDirectory();
    if (RabbitCommands.installed(scripts)) {
      return;
    }
    String reason =
        "RabbitMQ server scripts not found in "
            + scripts
            + "; install them (apt-get install rabbitmq-server) or set "
            + SCRIPTS_ENV;
    if (RabbitBroker.isCi()) {
      throw new RabbitBrokerException(reason);
    }
    Assumptions.abort(reason);
  }

  /**
   * Starts the node and waits until the broker application runs.
   *
   * @return this node
   * @throws IllegalStateException if it already runs or has been closed
   * @throws RabbitBrokerException if it does not come up within the startup timeout; the message
   *     ends with the tail of the node's log
   */
  public synchronized PrivateRabbitNode start() {
    requireOpen();
    if (isRunning()) {
      throw new IllegalStateException("the node " + layout().nodeName + " already runs");
    }
    long begin = System.nanoTime();
    boolean firstStart = layout == null;
    if (firstStart) {
      prepare();
    }
    RabbitNodeLayout files = layout();
    deleteIfExists(files.pidFile());
    int started = commands.run(files, startupTimeout, "rabbitmq-server", "-detached");
    if (started != 0) {
      throw failure("rabbitmq-server -detached exited with code " + started);
    }
    long waitSeconds = Math.max(1, startupTimeout.toSeconds());
    int ready =
        commands.run(
            files,
            startupTimeout.plusSeconds(10),
            "rabbitmqctl",
            "-n",
            files.nodeName,
            "wait",
            "--timeout",
            Long.toString(waitSeconds),
            files.pidFile().toString());
    node = readPid(files).flatMap(ProcessHandle::of).orElse(null);
    if (ready != 0 || node == null) {
      killQuietly();
      throw failure(
          "the node did not start within " + startupTimeout + " (wait exit " + ready + ")");
    }
    LOG.info(
        "Private RabbitMQ node {} ready at 127.0.0.1:{}{} after {} ms ({}); files in {}",
        files.nodeName,
        files.amqpPort,
        tlsCertificate == null ? "" : " (TLS on 127.0.0.1:" + files.tlsPort + ")",
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - begin),
        firstStart ? "first start" : "restart",
        files.root);
    return this;
  }

  /**
   * Stops the node gracefully and waits for its process to end; it is killed if that takes longer
   * than the shutdown timeout. Does nothing if it is not running.
   */
  public synchronized void stop() {
    if (!isRunning()) {
      node = null;
      return;
    }
    RabbitNodeLayout files = layout();
    long begin = System.nanoTime();
    int code;
    try {
      code =
          commands.run(
              files,
              shutdownTimeout,
              "rabbitmqctl",
              "-n",
              files.nodeName,
              "stop",
              files.pidFile().toString());
    } catch (RabbitBrokerException e) {
      LOG.warn("Private RabbitMQ node {} did not stop in time; killing it", files.nodeName, e);
      code = -1;
    }
    if (code != 0 || isRunning()) {
      LOG.warn(
          "rabbitmqctl stop for {} exited with {}; killing the node. Its log is {}",
          files.nodeName,
          code,
          files.nodeLog());
      kill();
      return;
    }
    node = null;
    LOG.info(
        "Private RabbitMQ node {} stopped after {} ms",
        files.nodeName,
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - begin));
  }

  /** Kills the node's process at once (SIGKILL), as a crash would. Does nothing if not running. */
  public synchronized void kill() {
    ProcessHandle process = node;
    node = null;
    if (process == null || !process.isAlive()) {
      return;
    }
    process.destroyForcibly();
    try {
      process.onExit().get(shutdownTimeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException | TimeoutException e) {
      throw new RabbitBrokerException("node process " + process.pid() + " survived SIGKILL", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RabbitBrokerException("interrupted while killing " + process.pid(), e);
    }
    LOG.info("Private RabbitMQ node {} killed", layout().nodeName);
  }

  /**
   * Stops the node if it runs, then starts it again on the same ports and data.
   *
   * @return this node
   */
  public synchronized PrivateRabbitNode restart() {
    requireOpen();
    stop();
    return start();
  }

  /** Whether the node's OS process is alive. */
  public synchronized boolean isRunning() {
    ProcessHandle process = node;
    return process != null && process.isAlive();
  }

  /**
   * Returns the AMQP URI, {@code amqp://guest:guest@127.0.0.1:<port>} (default virtual host).
   *
   * @throws IllegalStateException if the node has never been started
   */
  public synchronized String uri() {
    return "amqp://guest:guest@127.0.0.1:" + port();
  }

  /**
   * Returns the TLS URI, {@code amqps://guest:guest@127.0.0.1:<TLS port>} (default virtual host).
   *
   * @throws IllegalStateException if the node was built without {@link
   *     PrivateRabbitNodeBuilder#tls} or has never been started
   */
  public synchronized String tlsUri() {
    return "amqps://guest:guest@127.0.0.1:" + tlsPort();
  }

  /**
   * Returns the port of the TLS listener on 127.0.0.1; fixed from the first start on.
   *
   * @throws IllegalStateException if the node was built without {@link
   *     PrivateRabbitNodeBuilder#tls} or has never been started
   */
  public synchronized int tlsPort() {
    if (tlsCertificate == null) {
      throw new IllegalStateException("the node was built without tls(..); it has no TLS listener");
    }
    return layout().tlsPort;
  }

  /**
   * Creates a user with full permissions on the default virtual host. The password reaches {@code
   * rabbitmqctl} through its standard input, never its command line or a log.
   *
   * @throws IllegalStateException if the node is not running
   * @throws RabbitBrokerException if {@code rabbitmqctl} fails, for instance because the user
   *     exists; the message holds the tail of its output
   */
  public synchronized void addUser(String username, String password) {
    Objects.requireNonNull(username, "username");
    Objects.requireNonNull(password, "password");
    if (username.isBlank() || username.startsWith("-")) {
      throw new IllegalArgumentException("user name '" + username + "' is blank or starts with -");
    }
    if (password.isEmpty() || password.indexOf('\n') >= 0 || password.indexOf('\r') >= 0) {
      throw new IllegalArgumentException(
          "the password of '" + username + "' must be one non-empty line");
    }
    if (!isRunning()) {
      throw new IllegalStateException("the node is not running; start it before adding users");
    }
    RabbitNodeLayout files = layout();
    int added =
        commands.runWithInput(
            files,
            shutdownTimeout,
            password,
            "rabbitmqctl",
            "-n",
            files.nodeName,
            "add_user",
            username);
    if (added != 0) {
      throw failure("rabbitmqctl add_user " + username + " exited with code " + added);
    }
    int permitted =
        commands.run(
            files,
            shutdownTimeout,
            "rabbitmqctl",
            "-n",
            files.nodeName,
            "set_permissions",
            "-p",
            "/",
            username,
            ".*",
            ".*",
            ".*");
    if (permitted != 0) {
      throw failure("rabbitmqctl set_permissions " + username + " exited with code " + permitted);
    }
  }

  /**
   * Sets, or replaces, the policy {@code name} on the default virtual host for the queues whose
   * names match {@code pattern} (a regular expression), with {@code definition} as its JSON, for
   * instance {@code {"max-length":0,"overflow":"reject-publish"}}. Its priority is 10, above the
   * default 0, so it wins over any policy a test set without one. The node applies it to existing
   * queues at once; {@link #queuePolicies()} shows which queues it reached.
   *
   * @throws IllegalStateException if the node is not running
   * @throws RabbitBrokerException if {@code rabbitmqctl} refuses the policy; the message holds its
   *     output
   */
  public synchronized void setPolicy(String name, String pattern, String definition) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(pattern, "pattern");
    Objects.requireNonNull(definition, "definition");
    requireRunning("setting a policy");
    RabbitNodeLayout files = layout();
    commands.query(
        files,
        shutdownTimeout,
        "rabbitmqctl",
        "-n",
        files.nodeName,
        "set_policy",
        "--priority",
        "10",
        "--apply-to",
        "queues",
        "--",
        name,
        pattern,
        definition);
  }

  /**
   * Removes the policy {@code name} from the default virtual host; the queues it applied to go back
   * to their own arguments at once.
   *
   * @throws IllegalStateException if the node is not running
   * @throws RabbitBrokerException if {@code rabbitmqctl} fails, for instance because no such policy
   *     exists
   */
  public synchronized void clearPolicy(String name) {
    Objects.requireNonNull(name, "name");
    requireRunning("clearing a policy");
    RabbitNodeLayout files = layout();
    commands.query(
        files, shutdownTimeout, "rabbitmqctl", "-n", files.nodeName, "clear_policy", "--", name);
  }

  /**
   * Returns the name of the policy in force on each queue of the default virtual host that has one,
   * by queue name.
   *
   * @throws IllegalStateException if the node is not running
   */
  public synchronized Map<String, String> queuePolicies() {
    requireRunning("listing queues");
    RabbitNodeLayout files = layout();
    String listed =
        commands.query(
            files,
            shutdownTimeout,
            "rabbitmqctl",
            "-n",
            files.nodeName,
            "list_queues",
            "--silent",
            "--no-table-headers",
            "name",
            "policy");
    Map<String, String> policies = new LinkedHashMap<>();
    for (String line : listed.split("\n")) {
      String[] columns = line.split("\t", -1);
      if (columns.length == 2 && !columns[1].isBlank()) {
        policies.put(columns[0], columns[1].strip());
      }
    }
    return policies;
  }

  /** Returns the node as a {@link RabbitBroker}, for its connection factory. */
  public RabbitBroker broker() {
    return RabbitBroker.at(uri());
  }

  /** Returns the AMQP port; fixed from the first start on. */
  public synchronized int port() {
    return layout().amqpPort;
  }

  /** Returns the Erlang node name, such as {@code sbtest-1f2e3d4c@localhost}. */
  public synchronized String nodeName() {
    return layout().nodeName;
  }

  /** The node's directory; package-private, for tests of the fixture itself. */
  synchronized Path directory() {
    return layout().root;
  }

  /**
   * Kills the node if it runs (its data is deleted next, so a graceful stop would only cost time)
   * and deletes its directory. Later lifecycle calls fail.
   */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    kill();
    removeShutdownHook();
    RabbitNodeLayout files = layout;
    if (files != null) {
      try {
        files.delete();
      } catch (IOException e) {
        LOG.warn(
            "Private RabbitMQ directory {} not fully deleted; remove it by hand", files.root, e);
      }
    }
  }

  @Override
  public synchronized String toString() {
    RabbitNodeLayout files = layout;
    return files == null
        ? "PrivateRabbitNode[not started]"
        : "PrivateRabbitNode["
            + files.nodeName
            + " at 127.0.0.1:"
            + files.amqpPort
            + (tlsCertificate == null ? "" : ", TLS at 127.0.0.1:" + files.tlsPort)
            + "]";
  }

  private void prepare() {
    try {
      layout = RabbitNodeLayout.create(commands.owner());
      writeExtraConfig(layout());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prepare a private RabbitMQ node directory", e);
    }
    Thread hook = new Thread(this::killAtExit, "rabbit-node-shutdown-" + layout().nodeName);
    Runtime.getRuntime().addShutdownHook(hook);
    shutdownHook = hook;
  }

  /**
   * Appends the TLS listener and the builder's settings to rabbitmq.conf and writes advanced.config
   * if any.
   */
  private void writeExtraConfig(RabbitNodeLayout files) throws IOException {
    Map<String, String> lines = new LinkedHashMap<>();
    if (tlsCertificate != null && tlsPrivateKey != null) {
      files.installTls(tlsCertificate, tlsPrivateKey, commands.owner());
      // Listeners given as address:port bind that address only, as the plain one does.
      lines.put("listeners.ssl.1", "127.0.0.1:" + files.tlsPort);
      // A self-signed certificate is its own CA. Clients are not asked for certificates.
      lines.put("ssl_options.cacertfile", files.tlsCertificate().toString());
      lines.put("ssl_options.certfile", files.tlsCertificate().toString());
      lines.put("ssl_options.keyfile", files.tlsPrivateKey().toString());
      lines.put("ssl_options.verify", "verify_none");
      lines.put("ssl_options.fail_if_no_peer_cert", "false");
    }
    lines.putAll(config);
    if (!lines.isEmpty()) {
      StringBuilder text = new StringBuilder();
      lines.forEach((key, value) -> text.append(key).append(" = ").append(value).append('\n'));
      Files.writeString(
          files.root.resolve("rabbitmq.conf"),
          text,
          StandardCharsets.UTF_8,
          StandardOpenOption.APPEND);
    }
    if (!advancedConfig.isEmpty()) {
      StringJoiner entries = new StringJoiner(",\n  ", "[{rabbit, [\n  ", "\n]}].\n");
      advancedConfig.forEach((key, term) -> entries.add("{" + key + ", " + term + "}"));
      Path advanced = files.root.resolve("advanced.config");
      Files.writeString(advanced, entries.toString(), StandardCharsets.UTF_8);
      @Nullable UserPrincipal owner = commands.owner();
      if (owner != null) {
        Files.setOwner(advanced, owner);
      }
    }
  }

  private void killAtExit() {
    try {
      close();
    } catch (RuntimeException e) {
      LOG.error("Private RabbitMQ node could not be cleaned up at JVM exit", e);
    }
  }

  private void removeShutdownHook() {
    Thread hook = shutdownHook;
    shutdownHook = null;
    if (hook == null || hook == Thread.currentThread()) {
      return;
    }
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException e) {
      // The JVM is already shutting down; the hook runs or has run.
    }
  }

  private void killQuietly() {
    RabbitNodeLayout files = layout();
    Optional<ProcessHandle> process = readPid(files).flatMap(ProcessHandle::of);
    process.ifPresent(ProcessHandle::destroyForcibly);
    node = null;
  }

  private static Optional<Long> readPid(RabbitNodeLayout files) {
    try {
      return Optional.of(Long.parseLong(Files.readString(files.pidFile()).strip()));
    } catch (NoSuchFileException | NumberFormatException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + files.pidFile(), e);
    }
  }

  private RabbitBrokerException failure(String what) {
    RabbitNodeLayout files = layout();
    return new RabbitBrokerException(
        "private RabbitMQ node "
            + files.nodeName
            + " on 127.0.0.1:"
            + files.amqpPort
            + ": "
            + what
            + FileTail.of(files.nodeLog(), TAIL_LINES)
            + FileTail.of(files.output("rabbitmq-server"), TAIL_LINES)
            + FileTail.of(files.output("rabbitmqctl"), TAIL_LINES));
  }

  private static void deleteIfExists(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot remove the stale pid file " + file, e);
    }
  }

  private void requireRunning(String what) {
    if (!isRunning()) {
      throw new IllegalStateException("the node is not running; start it before " + what);
    }
  }

  private void requireOpen() {
    if (closed) {
      throw new IllegalStateException("the node has been closed");
    }
  }

  private RabbitNodeLayout layout() {
    RabbitNodeLayout files = layout;
    if (files == null) {
      throw new IllegalStateException("the node has not been started; its ports are not chosen");
    }
    return files;
  }

  static Path defaultScriptsDirectory() {
    String configured = System.getenv(SCRIPTS_ENV);
    return configured == null || configured.isBlank() ? DEFAULT_SCRIPTS : Path.of(configured);
  }
}
