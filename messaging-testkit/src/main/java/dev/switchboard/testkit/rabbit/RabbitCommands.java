package dev.switchboard.testkit.rabbit;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalNotFoundException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * Runs the RabbitMQ server and CLI scripts for one private node.
 *
 * <p>Run as root, the scripts are started as the {@code rabbitmq} system user through {@code
 * setpriv}, which switches user without a login shell and so keeps the node's environment (a {@code
 * su}-based wrapper would reset {@code HOME} and with it the node's Erlang cookie). The node's
 * directory then belongs to that user. Run as anyone else, the scripts run as the caller.
 */
final class RabbitCommands {
  private static final String SYSTEM_USER = "rabbitmq";
  private static final Path SETPRIV = Path.of("/usr/bin/setpriv");

  private final Path scriptsDirectory;
  private final @Nullable UserPrincipal runAs;

  RabbitCommands(Path scriptsDirectory) {
    this.scriptsDirectory = scriptsDirectory;
    this.runAs = systemUserIfRoot();
  }

  /** The user that must own the node's files, or null to keep the caller's. */
  @Nullable UserPrincipal owner() {
    return runAs;
  }

  /**
   * Runs a script to completion, its output appended to {@code <script>.out} in the node's
   * directory.
   *
   * @return the exit code
   * @throws RabbitBrokerException if it cannot be started or does not finish within the timeout
   */
  int run(RabbitNodeLayout layout, Duration timeout, String script, String... args) {
    return execute(layout, timeout, null, layout.output(script), false, script, args);
  }

  /**
   * Runs a script to completion and returns what it printed, for queries such as {@code
   * list_queues}; the output is also kept in {@code <script>-query.out}, replaced on each call.
   *
   * @throws RabbitBrokerException if it cannot be started, does not finish within the timeout or
   *     exits with another code than 0
   */
  String query(RabbitNodeLayout layout, Duration timeout, String script, String... args) {
    Path output = layout.root.resolve(script + "-query.out");
    int code = execute(layout, timeout, null, output, true, script, args);
    try {
      String printed = Files.readString(output, StandardCharsets.UTF_8);
      if (code != 0) {
        throw new RabbitBrokerException(
            script + " " + String.join(" ", args) + " exited with code " + code + ": " + printed);
      }
      return printed;
    } catch (IOException e) {
      throw new RabbitBrokerException("cannot read the output of " + script, e);
    }
  }

  /**
   * Runs a script as {@link #run(RabbitNodeLayout, Duration, String, String...)} does, writing
   * {@code input} (a secret, for instance) to its standard input rather than its command line,
   * where every local user could read it.
   */
  int runWithInput(
      RabbitNodeLayout layout, Duration timeout, String input, String script, String... args) {
    return execute(layout, timeout, input, layout.output(script), false, script, args);
  }

  private int execute(
      RabbitNodeLayout layout,
      Duration timeout,
      @Nullable String input,
      Path output,
      boolean replaceOutput,
      String script,
      String... args) {
    List<String> command = new ArrayList<>();
    if (runAs != null) {
      command.addAll(
          List.of(
              SETPRIV.toString(),
              "--reuid=" + SYSTEM_USER,
              "--regid=" + SYSTEM_USER,
              "--init-groups"));
    }
    command.add(scriptsDirectory.resolve(script).toString());
    command.addAll(List.of(args));
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .directory(layout.root.toFile())
            .redirectErrorStream(true)
            .redirectOutput(
                replaceOutput
                    ? ProcessBuilder.Redirect.to(output.toFile())
                    : ProcessBuilder.Redirect.appendTo(output.toFile()));
    if (input == null) {
      builder.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    }
    Map<String, String> env = builder.environment();
    Map<String, String> nodeEnv = layout.environment(Map.copyOf(env));
    env.clear();
    env.putAll(nodeEnv);
    try {
      Process process = builder.start();
      if (input != null) {
        try (OutputStream stdin = process.getOutputStream()) {
          stdin.write((input + "\n").getBytes(StandardCharsets.UTF_8));
        }
      }
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        throw new RabbitBrokerException(
            script + " " + String.join(" ", args) + " did not finish within " + timeout);
      }
      return process.exitValue();
    } catch (IOException e) {
      throw new RabbitBrokerException("cannot run " + command.get(command.size() - 1), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RabbitBrokerException("interrupted while running " + script, e);
    }
  }

  /** Whether the server and CLI scripts exist in the scripts directory. */
  static boolean installed(Path scriptsDirectory) {
    return Files.isExecutable(scriptsDirectory.resolve("rabbitmq-server"))
        && Files.isExecutable(scriptsDirectory.resolve("rabbitmqctl"));
  }

  private static @Nullable UserPrincipal systemUserIfRoot() {
    if (!"root".equals(System.getProperty("user.name")) || !Files.isExecutable(SETPRIV)) {
      return null;
    }
    try {
      return Path.of("/")
          .getFileSystem()
          .getUserPrincipalLookupService()
          .lookupPrincipalByName(SYSTEM_USER);
    } catch (UserPrincipalNotFoundException e) {
      return null;
    } catch (IOException e) {
      throw new RabbitBrokerException("cannot look up the " + SYSTEM_USER + " user", e);
    }
  }
}
