package dev.switchboard.testkit.rabbit;

import dev.switchboard.testkit.support.LoopbackPorts;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The directory and environment of one private node: everything its server and CLI tools read, so
 * that nothing is taken from the machine's own node ({@code /etc/rabbitmq}, {@code
 * /var/lib/rabbitmq}).
 *
 * <p>Isolation from the machine's node rests on four things: a node name of its own, its own AMQP
 * (and TLS) and distribution ports, its own Erlang cookie (in its own {@code HOME}, so a CLI call
 * can never authenticate against the other node), and its own config, environment and plugins
 * files. The server, its Erlang distribution, epmd (if this node has to start it) and the CLI tools
 * bind 127.0.0.1 only.
 */
final class RabbitNodeLayout {
  /** Ports the machine's node and the CLI tools use by default; a private node avoids them. */
  private static final Set<Integer> RESERVED_PORTS = reservedPorts();

  private static final String LOOPBACK_ONLY = "-kernel inet_dist_use_interface {127,0,0,1}";

  final Path root;
  final String nodeName;
  final int amqpPort;
  final int distributionPort;

  /** The port of the TLS listener, chosen always and used only when the node is given TLS. */
  final int tlsPort;

  private RabbitNodeLayout(
      Path root, String nodeName, int amqpPort, int distributionPort, int tlsPort) {
    this.root = root;
    this.nodeName = nodeName;
    this.amqpPort = amqpPort;
    this.distributionPort = distributionPort;
    this.tlsPort = tlsPort;
  }

  /**
   * Creates the directory tree under the system temporary directory, owned by {@code owner} when
   * one is given (the node then runs as that user).
   */
  static RabbitNodeLayout create(@Nullable UserPrincipal owner) throws IOException {
    SecureRandom random = new SecureRandom();
    String suffix = Long.toHexString(random.nextLong() & Long.MAX_VALUE);
    int[] ports = freePorts();
    Path root = Files.createTempDirectory("switchboard-rabbit-");
    RabbitNodeLayout layout =
        new RabbitNodeLayout(root, "sbtest-" + suffix + "@localhost", ports[0], ports[1], ports[2]);
    layout.writeFiles(random);
    if (owner != null) {
      layout.chown(owner);
    }
    return layout;
  }

  Path pidFile() {
    return root.resolve("node.pid");
  }

  Path nodeLog() {
    return root.resolve("log").resolve(nodeName + ".log");
  }

  /** The directory the node's certificate and key are copied to, when it is given TLS. */
  Path tlsDirectory() {
    return root.resolve("tls");
  }

  Path tlsCertificate() {
    return tlsDirectory().resolve("server.crt");
  }

  Path tlsPrivateKey() {
    return tlsDirectory().resolve("server.key");
  }

  /**
   * Copies a certificate and its private key into {@link #tlsDirectory()}, the key readable by its
   * owner only, and hands the copies to {@code owner} when one is given: the node may run as a user
   * that cannot read the originals.
   */
  void installTls(Path certificate, Path privateKey, @Nullable UserPrincipal owner)
      throws IOException {
    Files.createDirectories(tlsDirectory());
    Files.copy(certificate, tlsCertificate(), StandardCopyOption.REPLACE_EXISTING);
    Files.copy(privateKey, tlsPrivateKey(), StandardCopyOption.REPLACE_EXISTING);
    Files.setPosixFilePermissions(tlsPrivateKey(), PosixFilePermissions.fromString("rw-------"));
    if (owner != null) {
      chown(owner);
    }
  }

  Path output(String command) {
    return root.resolve(command + ".out");
  }

  /** The environment for the server and every CLI call, over the caller's own environment. */
  Map<String, String> environment(Map<String, String> inherited) {
    Map<String, String> env = new LinkedHashMap<>();
    inherited.forEach(
        (key, value) -> {
          // A caller's RabbitMQ or Erlang settings describe some other node.
          if (!key.startsWith("RABBITMQ_") && !key.startsWith("ERL_")) {
            env.put(key, value);
          }
        });
    env.put("HOME", root.resolve("home").toString());
    env.put("RABBITMQ_NODENAME", nodeName);
    env.put("RABBITMQ_NODE_IP_ADDRESS", "127.0.0.1");
    env.put("RABBITMQ_NODE_PORT", Integer.toString(amqpPort));
    env.put("RABBITMQ_DIST_PORT", Integer.toString(distributionPort));
    env.put("RABBITMQ_CONFIG_FILE", root.resolve("rabbitmq.conf").toString());
    env.put("RABBITMQ_ADVANCED_CONFIG_FILE", root.resolve("advanced.config").toString());
    env.put("RABBITMQ_CONF_ENV_FILE", root.resolve("rabbitmq-env.conf").toString());
    env.put("RABBITMQ_ENABLED_PLUGINS_FILE", root.resolve("enabled_plugins").toString());
    env.put("RABBITMQ_MNESIA_BASE", root.resolve("mnesia").toString());
    env.put("RABBITMQ_LOG_BASE", root.resolve("log").toString());
    env.put("RABBITMQ_PID_FILE", pidFile().toString());
    env.put("ERL_EPMD_ADDRESS", "127.0.0.1");
    env.put("RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS", LOOPBACK_ONLY);
    env.put("RABBITMQ_CTL_ERL_ARGS", LOOPBACK_ONLY);
    return env;
  }

  void delete() throws IOException {
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
  }

  private void writeFiles(SecureRandom random) throws IOException {
    Files.createDirectories(root.resolve("home"));
    Files.createDirectories(root.resolve("mnesia"));
    Files.createDirectories(root.resolve("log"));
    write(
        "rabbitmq.conf",
        "listeners.tcp.1 = 127.0.0.1:"
            + amqpPort
            + "\n"
            + "log.console = false\n"
            + "log.file.level = info\n");
    // An empty plugin list: no management plugin, so no extra listener and a faster boot.
    write("enabled_plugins", "[].\n");
    // An empty environment file keeps /etc/rabbitmq/rabbitmq-env.conf out.
    write("rabbitmq-env.conf", "");
    Path cookie = root.resolve("home").resolve(".erlang.cookie");
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < 20; i++) {
      text.append((char) ('A' + random.nextInt(26)));
    }
    Files.writeString(cookie, text, StandardCharsets.US_ASCII);
    // Erlang refuses a cookie that others can read.
    Files.setPosixFilePermissions(cookie, PosixFilePermissions.fromString("r--------"));
  }

  private void write(String name, String content) throws IOException {
    Files.writeString(root.resolve(name), content, StandardCharsets.UTF_8);
  }

  private void chown(UserPrincipal owner) throws IOException {
    GroupPrincipal group =
        root.getFileSystem()
            .getUserPrincipalLookupService()
            .lookupPrincipalByGroupName(owner.getName());
    try (var paths = Files.walk(root)) {
      for (Path path : (Iterable<Path>) paths::iterator) {
        PosixFileAttributeView view =
            Files.getFileAttributeView(path, PosixFileAttributeView.class);
        view.setOwner(owner);
        view.setGroup(group);
      }
    }
  }

  private static int[] freePorts() {
    while (true) {
      int[] ports = LoopbackPorts.free(3);
      if (Arrays.stream(ports).noneMatch(RESERVED_PORTS::contains)) {
        return ports;
      }
    }
  }

  private static Set<Integer> reservedPorts() {
    Set<Integer> reserved = new java.util.HashSet<>(Set.of(4369, 5672, 5671, 25672, 15672));
    for (int port = 35672; port <= 35682; port++) {
      reserved.add(port);
    }
    return Set.copyOf(reserved);
  }
}
