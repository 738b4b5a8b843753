package dev.switchboard.testkit.kafka;

import dev.switchboard.testkit.support.FileTail;
import dev.switchboard.testkit.support.LoopbackPorts;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.Uuid;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A private single-node Kafka broker in a child JVM.
 *
 * <p>Design note. This class owns one temporary directory and, while running, one child process.
 * The directory holds {@code server.properties}, the log4j configuration, the broker log ({@code
 * broker.log}), the process's console output ({@code broker.out}), the launcher class ({@code
 * launcher/}) and the data ({@code data/}). The ports and the directory are chosen on the first
 * start and kept until {@link #close()}, which is what lets {@link #restart()} bring back the same
 * broker: same address, same cluster id, same records. Storage is formatted once, by a short-lived
 * {@code StorageTool} JVM, before the first start.
 *
 * <p>Threads: none of its own. Lifecycle methods are {@code synchronized}; {@link #start()} blocks
 * the caller while it polls for readiness, first with plain TCP connects (so the admin client does
 * not log connection warnings while the port is still closed), then with {@code describeCluster}. A
 * JVM shutdown hook closes a broker that was never closed; {@link BrokerMain} makes the child exit
 * if this JVM dies without running hooks.
 *
 * <p>Invariants: {@code process != null} only between a launch and the matching stop or kill;
 * {@code directory}, {@code brokerPort} and {@code classpath} are set together, once; after {@code
 * closed} is set every lifecycle call but {@link #close()} fails.
 */
final class LocalKafkaBroker implements KafkaBroker {
  private static final Logger LOG = LoggerFactory.getLogger(LocalKafkaBroker.class);
  private static final List<String> DEFAULT_JVM_OPTIONS = List.of("-Xmx512m", "-XX:+UseSerialGC");
  private static final Duration POLL_INTERVAL = Duration.ofMillis(50);
  private static final int TAIL_LINES = 40;

  private final BrokerSettings settings;
  private @Nullable Path directory;
  private int brokerPort;
  private int saslSslPort;
  private @Nullable String classpath;
  private @Nullable Process process;
  private @Nullable Thread shutdownHook;
  private boolean formatted;
  private boolean closed;

  LocalKafkaBroker(BrokerSettings settings) {
    this.settings = settings;
  }

  @Override
  public synchronized KafkaBroker start() {
    requireOpen();
    if (isRunning()) {
      throw new IllegalStateException("the broker at " + bootstrapServers() + " already runs");
    }
    long begin = System.nanoTime();
    boolean firstStart = !formatted;
    if (directory == null) {
      prepare();
    }
    if (!formatted) {
      format();
      formatted = true;
    }
    launch();
    awaitReady(begin + settings.startupTimeout().toNanos());
    LOG.info(
        "Kafka broker ready at {}{} after {} ms ({}); files in {}",
        bootstrapServers(),
        saslSslPort == 0 ? "" : " and SASL_SSL at 127.0.0.1:" + saslSslPort,
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - begin),
        firstStart ? "first start" : "restart",
        directory);
    return this;
  }

  @Override
  public synchronized void stop() {
    Process running = process;
    if (running == null) {
      return;
    }
    process = null;
    if (!running.isAlive()) {
      return;
    }
    long begin = System.nanoTime();
    running.destroy();
    if (!waitFor(running, settings.shutdownTimeout())) {
      LOG.warn(
          "Kafka broker at {} did not stop within {}; killing it. Its log is {}",
          bootstrapServers(),
          settings.shutdownTimeout(),
          directory().resolve("broker.log"));
      running.destroyForcibly();
      waitFor(running, settings.shutdownTimeout());
    }
    LOG.info(
        "Kafka broker at {} stopped after {} ms",
        bootstrapServers(),
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - begin));
  }

  @Override
  public synchronized void kill() {
    Process running = process;
    if (running == null) {
      return;
    }
    process = null;
    running.destroyForcibly();
    if (!waitFor(running, settings.shutdownTimeout())) {
      throw new KafkaBrokerException("broker process " + running.pid() + " survived SIGKILL");
    }
    LOG.info("Kafka broker at {} killed", bootstrapServers());
  }

  @Override
  public synchronized KafkaBroker restart() {
    requireOpen();
    stop();
    return start();
  }

  @Override
  public synchronized boolean isRunning() {
    return process != null && process.isAlive();
  }

  @Override
  public synchronized String bootstrapServers() {
    if (brokerPort == 0) {
      throw new IllegalStateException("the broker has not been started; its port is not chosen");
    }
    return "127.0.0.1:" + brokerPort;
  }

  @Override
  public synchronized Optional<String> saslSslBootstrapServers() {
    if (settings.saslSsl().isEmpty()) {
      return Optional.empty();
    }
    if (saslSslPort == 0) {
      throw new IllegalStateException("the broker has not been started; its port is not chosen");
    }
    return Optional.of("127.0.0.1:" + saslSslPort);
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    stop();
    closed = true;
    removeShutdownHook();
    if (directory != null) {
      deleteRecursively(directory);
    }
  }

  @Override
  public synchronized String toString() {
    return "KafkaBroker[" + (brokerPort == 0 ? "not started" : bootstrapServers()) + "]";
  }

  private void prepare() {
    Path dir;
    try {
      dir = Files.createTempDirectory("switchboard-kafka-");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a Kafka broker directory", e);
    }
    try {
      int[] ports = LoopbackPorts.free(settings.saslSsl().isPresent() ? 3 : 2);
      int saslPort = ports.length > 2 ? ports[2] : 0;
      Map<String, String> config =
          BrokerProperties.render(settings, ports[0], ports[1], saslPort, dir.resolve("data"));
      writeProperties(dir.resolve("server.properties"), config);
      writeLogConfig(dir);
      classpath = BrokerClasspath.install(dir.resolve("launcher"));
      brokerPort = ports[0];
      saslSslPort = saslPort;
    } catch (IOException e) {
      deleteRecursively(dir);
      throw new UncheckedIOException("cannot prepare the Kafka broker directory " + dir, e);
    } catch (RuntimeException e) {
      deleteRecursively(dir);
      throw e;
    }
    directory = dir;
    registerShutdownHook();
  }

  private void format() {
    Path dir = directory();
    List<String> command = javaCommand(List.of("-Xmx256m", "-XX:+UseSerialGC"));
    command.addAll(
        List.of(
            "kafka.tools.StorageTool",
            "format",
            "--config",
            dir.resolve("server.properties").toString(),
            "--cluster-id",
            Uuid.randomUuid().toString(),
            "--standalone"));
    settings
        .saslSsl()
        .ifPresent(
            listener -> {
              for (String credential : BrokerProperties.scramCredentials(listener)) {
                command.add("--add-scram");
                command.add(credential);
              }
            });
    Path output = dir.resolve("format.out");
    long begin = System.nanoTime();
    try {
      Process tool =
          new ProcessBuilder(command)
              .directory(dir.toFile())
              .redirectErrorStream(true)
              .redirectOutput(output.toFile())
              .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
              .start();
      if (!waitFor(tool, settings.startupTimeout())) {
        tool.destroyForcibly();
        throw new KafkaBrokerException(
            "formatting the broker storage took longer than "
                + settings.startupTimeout()
                + FileTail.of(output, TAIL_LINES));
      }
      if (tool.exitValue() != 0) {
        throw new KafkaBrokerException(
            "formatting the broker storage failed with exit code "
                + tool.exitValue()
                + FileTail.of(output, TAIL_LINES));
      }
    } catch (IOException e) {
      throw new KafkaBrokerException("cannot run the Kafka storage tool", e);
    }
    LOG.debug(
        "Kafka storage in {} formatted in {} ms",
        dir,
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - begin));
  }

  private void launch() {
    Path dir = directory();
    List<String> jvmOptions = new ArrayList<>(DEFAULT_JVM_OPTIONS);
    jvmOptions.addAll(settings.jvmOptions());
    List<String> command = javaCommand(jvmOptions);
    command.add(BrokerMain.class.getName());
    command.add(dir.resolve("server.properties").toString());
    try {
      // Standard input stays a pipe that this JVM holds open: BrokerMain exits on its end.
      process =
          new ProcessBuilder(command)
              .directory(dir.toFile())
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("broker.out").toFile()))
              .start();
    } catch (IOException e) {
      throw new KafkaBrokerException("cannot launch the broker JVM", e);
    }
  }

  private List<String> javaCommand(List<String> jvmOptions) {
    Path dir = directory();
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmOptions);
    command.add("-Djava.awt.headless=true");
    command.add("-Dlog4j2.configurationFile=" + dir.resolve("log4j2.properties"));
    command.add("-cp");
    command.add(requireClasspath());
    return command;
  }

  private void awaitReady(long deadlineNanos) {
    while (!LoopbackPorts.accepts(brokerPort, POLL_INTERVAL)) {
      pauseOrFail(deadlineNanos);
    }
    Properties config = new Properties();
    config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
    config.put(AdminClientConfig.CLIENT_ID_CONFIG, "switchboard-testkit-readiness");
    config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "2000");
    config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "2000");
    try (Admin admin = Admin.create(config)) {
      while (true) {
        @Nullable Exception error = null;
        try {
          var nodes =
              admin
                  .describeCluster(new DescribeClusterOptions().timeoutMs(2000))
                  .nodes()
                  .get(2, TimeUnit.SECONDS);
          if (nodes.stream().anyMatch(LocalKafkaBroker::isNodeOne)) {
            return;
          }
        } catch (ExecutionException | TimeoutException e) {
          error = e;
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new KafkaBrokerException("interrupted while waiting for the broker", e);
        }
        if (error != null && System.nanoTime() - deadlineNanos > 0) {
          requireProcess().destroyForcibly();
          process = null;
          throw failure("the broker did not answer describeCluster in time: " + error, error);
        }
        pauseOrFail(deadlineNanos);
      }
    }
  }

  private static boolean isNodeOne(Node node) {
    return node.id() == 1;
  }

  /** Waits one poll interval, failing if the broker exited or the deadline passed. */
  private void pauseOrFail(long deadlineNanos) {
    Process running = requireProcess();
    try {
      if (running.waitFor(POLL_INTERVAL.toMillis(), TimeUnit.MILLISECONDS)) {
        process = null;
        throw failure("the broker exited during startup with code " + running.exitValue(), null);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new KafkaBrokerException("interrupted while waiting for the broker", e);
    }
    if (System.nanoTime() - deadlineNanos > 0) {
      running.destroyForcibly();
      process = null;
      throw failure("the broker was not ready within " + settings.startupTimeout(), null);
    }
  }

  private KafkaBrokerException failure(String what, @Nullable Throwable cause) {
    Path dir = directory();
    String message =
        "Kafka broker on 127.0.0.1:"
            + brokerPort
            + ": "
            + what
            + FileTail.of(dir.resolve("broker.log"), TAIL_LINES)
            + FileTail.of(dir.resolve("broker.out"), TAIL_LINES);
    return cause == null
        ? new KafkaBrokerException(message)
        : new KafkaBrokerException(message, cause);
  }

  private static void writeProperties(Path file, Map<String, String> config) throws IOException {
    try (Writer out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      for (Map.Entry<String, String> entry : config.entrySet()) {
        out.write(entry.getKey() + "=" + escape(entry.getValue()) + "\n");
      }
    }
  }

  private static String escape(String value) {
    return value.replace("\\", "\\\\");
  }

  private static void writeLogConfig(Path dir) throws IOException {
    String config =
        String.join(
            "\n",
            "status = warn",
            "appender.file.type = File",
            "appender.file.name = FILE",
            "appender.file.fileName = " + escape(dir.resolve("broker.log").toString()),
            "appender.file.layout.type = PatternLayout",
            "appender.file.layout.pattern = %d{HH:mm:ss.SSS} %-5p [%c{1}] %m%n",
            "rootLogger.level = INFO",
            "rootLogger.appenderRef.file.ref = FILE",
            "");
    Files.writeString(dir.resolve("log4j2.properties"), config, StandardCharsets.UTF_8);
  }

  private void registerShutdownHook() {
    Thread hook = new Thread(this::closeAtExit, "kafka-broker-shutdown-" + brokerPort);
    Runtime.getRuntime().addShutdownHook(hook);
    shutdownHook = hook;
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

  private void closeAtExit() {
    try {
      close();
    } catch (RuntimeException e) {
      LOG.error("Kafka broker in {} could not be closed at JVM exit", directory, e);
    }
  }

  private static boolean waitFor(Process process, Duration timeout) {
    try {
      return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return !process.isAlive();
    }
  }

  private void requireOpen() {
    if (closed) {
      throw new IllegalStateException("the broker has been closed");
    }
  }

  private Path directory() {
    Path dir = directory;
    if (dir == null) {
      throw new IllegalStateException("the broker has not been prepared");
    }
    return dir;
  }

  private Process requireProcess() {
    Process running = process;
    if (running == null) {
      throw new IllegalStateException("the broker has not been launched");
    }
    return running;
  }

  private String requireClasspath() {
    String cp = classpath;
    if (cp == null) {
      throw new IllegalStateException("the broker has not been prepared");
    }
    return cp;
  }

  private static void deleteRecursively(Path root) {
    try {
      Files.walkFileTree(
          root,
          new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
                throws IOException {
              Files.delete(file);
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, @Nullable IOException e)
                throws IOException {
              Files.delete(dir);
              return FileVisitResult.CONTINUE;
            }
          });
    } catch (IOException e) {
      LOG.warn("Kafka broker directory {} could not be fully deleted; remove it by hand", root, e);
    }
  }
}
