package dev.switchboard.testkit.rabbit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.GetResponse;
import com.rabbitmq.client.MessageProperties;
import com.rabbitmq.client.ShutdownSignalException;
import dev.switchboard.testkit.support.SelfSignedCertificate;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

class PrivateRabbitNodeTest {
  private static final Logger LOG = LoggerFactory.getLogger(PrivateRabbitNodeTest.class);

  @BeforeAll
  static void rabbitMqIsInstalled() {
    PrivateRabbitNode.requireInstalled();
  }

  @Test
  void restartAndKill_keepDurableQueuesAndConfirmedPersistentMessages() throws Exception {
    String queue = "orders-" + UUID.randomUUID();
    boolean machineNodeUp = RabbitBroker.shared().isAvailable();
    try (PrivateRabbitNode node = PrivateRabbitNode.builder().build()) {
      long begin = System.nanoTime();
      node.start();
      long started = System.nanoTime();
      assertThat(node.isRunning()).isTrue();
      assertThat(node.nodeName()).startsWith("sbtest-").endsWith("@localhost");
      assertThat(node.uri()).startsWith("amqp://guest:guest@127.0.0.1:");
      assertThat(node.port()).isNotEqualTo(5672);
      int port = node.port();

      publishPersistent(node, queue, "before restart");
      long published = System.nanoTime();
      node.restart();
      long restarted = System.nanoTime();
      assertThat(node.port()).isEqualTo(port);
      assertThat(takeOne(node, queue)).isEqualTo("before restart");

      publishPersistent(node, queue, "before kill");
      long killBegin = System.nanoTime();
      node.kill();
      assertThat(node.isRunning()).isFalse();
      node.start();
      long recovered = System.nanoTime();
      assertThat(takeOne(node, queue)).isEqualTo("before kill");

      LOG.info(
          "Private RabbitMQ timings: start {} ms, restart {} ms, kill and start {} ms",
          millis(begin, started),
          millis(published, restarted),
          millis(killBegin, recovered));
    }
    assertThat(RabbitBroker.shared().isAvailable()).isEqualTo(machineNodeUp);
  }

  @Test
  void close_deletesTheNodeDirectoryAndRefusesAFurtherStart() throws Exception {
    PrivateRabbitNode node = PrivateRabbitNode.builder().build();
    node.start();
    Path directory = node.directory();
    assertThat(directory.resolve("node.pid")).exists();

    node.close();

    assertThat(node.isRunning()).isFalse();
    assertThat(directory).doesNotExist();
    assertThatThrownBy(node::start).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void builder_rejectsAMissingScriptsDirectory() {
    assertThatThrownBy(
            () -> PrivateRabbitNode.builder().scriptsDirectory(Path.of("/nonexistent")).build())
        .isInstanceOf(RabbitBrokerException.class)
        .hasMessageContaining("/nonexistent");
  }

  @Test
  void configAndAdvancedConfig_reachTheNode() throws Exception {
    String queue = "unacked-" + UUID.randomUUID();
    try (PrivateRabbitNode node =
        PrivateRabbitNode.builder()
            .config("consumer_timeout", "3000")
            .advancedConfig("channel_tick_interval", "500")
            .build()
            .start()) {
      publishPersistent(node, queue, "never acknowledged");
      CompletableFuture<ShutdownSignalException> closed = new CompletableFuture<>();
      long begin = System.nanoTime();
      try (Connection connection = node.broker().connectionFactory().newConnection()) {
        Channel channel = connection.createChannel();
        channel.addShutdownListener(closed::complete);
        channel.basicConsume(queue, false, (tag, delivery) -> {}, tag -> {});

        // With the default tick of a minute the broker would notice only after up to 63 s.
        ShutdownSignalException cause = closed.get(20, TimeUnit.SECONDS);
        long millis = millis(begin, System.nanoTime());
        LOG.info("consumer_timeout 3000 ms, tick 500 ms: channel closed after {} ms", millis);
        assertThat(cause.getMessage()).contains("PRECONDITION_FAILED").contains("3000 ms");
        assertThat(millis).isGreaterThanOrEqualTo(3000);
      }
    }
  }

  @Test
  void builder_rejectsARepeatedOrFixtureOwnedConfigKey() {
    assertThatThrownBy(
            () ->
                PrivateRabbitNode.builder()
                    .config("consumer_timeout", "1")
                    .config("consumer_timeout", "2"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("consumer_timeout")
        .hasMessageContaining("already set to 1");
    assertThatThrownBy(() -> PrivateRabbitNode.builder().config("listeners.tcp.1", "0.0.0.0:5672"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("set by the fixture");
    assertThatThrownBy(() -> PrivateRabbitNode.builder().config("a", "1\nlisteners.tcp.2 = 5673"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("one non-blank line");
    assertThatThrownBy(() -> PrivateRabbitNode.builder().advancedConfig("Bad-Atom", "1"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Erlang atom");
  }

  @Test
  void tls_listensOnLoopbackOnlyAndAnAddedUserLogsInOverIt(@TempDir Path certs) throws Exception {
    SelfSignedCertificate cert = SelfSignedCertificate.generate(certs);
    String password = "secret-" + UUID.randomUUID();
    try (PrivateRabbitNode node =
        PrivateRabbitNode.builder().tls(cert.certificate(), cert.privateKey()).build().start()) {
      assertThat(node.tlsPort()).isNotEqualTo(node.port()).isNotEqualTo(5671);
      assertThat(node.tlsUri()).isEqualTo("amqps://guest:guest@127.0.0.1:" + node.tlsPort());
      assertThat(node.toString()).contains("TLS at 127.0.0.1:" + node.tlsPort());
      assertThat(listeningAddresses(node.tlsPort())).containsExactly("127.0.0.1");
      assertThat(listeningAddresses(node.port())).containsExactly("127.0.0.1");

      node.addUser("tester", password);
      ConnectionFactory factory = new ConnectionFactory();
      factory.setHost("127.0.0.1");
      factory.setPort(node.tlsPort());
      factory.setUsername("tester");
      factory.setPassword(password);
      factory.useSslProtocol(trusting(cert));
      factory.enableHostnameVerification();
      try (Connection connection = factory.newConnection()) {
        assertThat(connection.isOpen()).isTrue();
      }

      List<Path> written;
      try (Stream<Path> files = Files.walk(node.directory())) {
        written = files.filter(Files::isRegularFile).toList();
      }
      for (Path file : written) {
        assertThat(new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1))
            .as("%s", file)
            .doesNotContain(password);
      }
    }
  }

  @Test
  void tlsPort_withoutTls_isRefused() {
    PrivateRabbitNode node = PrivateRabbitNode.builder().build();

    assertThatThrownBy(node::tlsPort)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("without tls(..)");
    assertThatThrownBy(() -> PrivateRabbitNode.builder().config("ssl_options.keyfile", "/k.pem"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("set by the fixture");
  }

  @Test
  void setPolicy_maxLengthZeroWithRejectPublish_nacksPublishesToTheMatchedQueueUntilLifted()
      throws Exception {
    String limited = "letters-" + UUID.randomUUID() + ".dlq";
    String other = limited + "-other";
    String pattern = "^" + limited.replace(".", "\\.") + "$";
    Map<String, Object> quorum = Map.of("x-queue-type", "quorum");
    try (PrivateRabbitNode node = PrivateRabbitNode.builder().build().start();
        Connection connection = node.broker().connectionFactory().newConnection();
        Channel channel = connection.createChannel()) {
      channel.queueDeclare(limited, true, false, false, quorum);
      channel.queueDeclare(other, true, false, false, quorum);
      channel.confirmSelect();
      assertThat(confirmed(channel, limited, "stored before")).isTrue();

      node.setPolicy("outage", pattern, "{\"max-length\":0,\"overflow\":\"reject-publish\"}");
      Map<String, String> during = node.queuePolicies();
      List<Boolean> duringConfirms = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        duringConfirms.add(confirmed(channel, limited, "during " + i));
      }
      boolean otherConfirmed = confirmed(channel, other, "other queue");
      // A quorum queue unblocks the channels it refused only when its limit rises; removing the
      // policy alone leaves them refused on RabbitMQ 3.10.
      node.setPolicy("outage", pattern, "{\"max-length\":1000000,\"overflow\":\"reject-publish\"}");
      node.clearPolicy("outage");
      Map<String, String> after = node.queuePolicies();
      boolean confirmedAfter = confirmed(channel, limited, "after");

      assertThat(during).containsExactly(Map.entry(limited, "outage"));
      assertThat(duringConfirms).containsExactly(false, false, false);
      assertThat(otherConfirmed).isTrue();
      assertThat(after).isEmpty();
      assertThat(confirmedAfter).isTrue();
      assertThat(channel.messageCount(limited)).as("stored before and after").isEqualTo(2);
    }
  }

  /** The local addresses of the sockets listening on {@code port}, from the kernel's tables. */
  private static List<String> listeningAddresses(int port) throws Exception {
    List<String> addresses = new ArrayList<>();
    for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
      Path file = Path.of(table);
      if (!Files.isReadable(file)) {
        continue;
      }
      // One read per table: the table changes while other processes open sockets.
      List<String> lines = Files.readAllLines(file);
      for (String line : lines.subList(1, lines.size())) {
        String[] fields = line.trim().split("\\s+");
        String[] local = fields[1].split(":");
        boolean listening = fields[3].equals("0A");
        if (listening && Integer.parseInt(local[1], 16) == port) {
          addresses.add(ipv4(local[0]));
        }
      }
    }
    return addresses;
  }

  /** A /proc/net/tcp address: IPv4 in host (little-endian) byte order, IPv6 left as hex. */
  private static String ipv4(String hex) {
    if (hex.length() != 8) {
      return hex;
    }
    int value = Integer.parseUnsignedInt(hex, 16);
    return (value & 0xff)
        + "."
        + (value >> 8 & 0xff)
        + "."
        + (value >> 16 & 0xff)
        + "."
        + (value >>> 24);
  }

  private static SSLContext trusting(SelfSignedCertificate cert) throws Exception {
    KeyStore store = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(cert.trustStore())) {
      store.load(in, cert.trustStorePasswordChars());
    }
    TrustManagerFactory trust =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    trust.init(store);
    SSLContext context = SSLContext.getInstance("TLSv1.3");
    context.init(null, trust.getTrustManagers(), null);
    return context;
  }

  private static void publishPersistent(PrivateRabbitNode node, String queue, String body)
      throws Exception {
    try (Connection connection = node.broker().connectionFactory().newConnection();
        Channel channel = connection.createChannel()) {
      channel.queueDeclare(queue, true, false, false, null);
      channel.confirmSelect();
      channel.basicPublish(
          "",
          queue,
          MessageProperties.PERSISTENT_TEXT_PLAIN,
          body.getBytes(StandardCharsets.UTF_8));
      channel.waitForConfirmsOrDie(10_000);
    }
  }

  /** Publishes one message through the default exchange; true if confirmed, false if nacked. */
  private static boolean confirmed(Channel channel, String queue, String body) throws Exception {
    channel.basicPublish(
        "", queue, MessageProperties.PERSISTENT_TEXT_PLAIN, body.getBytes(StandardCharsets.UTF_8));
    return channel.waitForConfirms(10_000);
  }

  private static String takeOne(PrivateRabbitNode node, String queue) throws Exception {
    try (Connection connection = node.broker().connectionFactory().newConnection();
        Channel channel = connection.createChannel()) {
      GetResponse response = channel.basicGet(queue, true);
      assertThat(response).as("a message in %s", queue).isNotNull();
      return new String(response.getBody(), StandardCharsets.UTF_8);
    }
  }

  private static long millis(long fromNanos, long toNanos) {
    return TimeUnit.NANOSECONDS.toMillis(toNanos - fromNanos);
  }
}
