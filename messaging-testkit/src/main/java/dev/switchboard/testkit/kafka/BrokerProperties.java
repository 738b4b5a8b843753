package dev.switchboard.testkit.kafka;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The broker configuration a private broker runs with: fixture-owned listener, quorum and storage
 * settings, then single-node defaults, then the caller's overrides.
 *
 * <p>Why these defaults: on one node every internal topic must have replication factor and minimum
 * ISR 1, or the topic is never created and its feature fails quietly (share consumers receive
 * nothing when the share-group state topic is missing). Internal topics get one partition so the
 * first group join does not wait for fifty partitions to be created. Heartbeat and session settings
 * are short so that group joins, the first share delivery and the removal of a vanished member all
 * take well under a second to a few seconds.
 */
final class BrokerProperties {
  private static final Set<String> MANAGED =
      Set.of(
          "process.roles",
          "node.id",
          "listeners",
          "advertised.listeners",
          "listener.security.protocol.map",
          "inter.broker.listener.name",
          "controller.listener.names",
          "controller.quorum.voters",
          "controller.quorum.bootstrap.servers",
          "log.dir",
          "log.dirs",
          "metadata.log.dir",
          "auto.create.topics.enable",
          "sasl.enabled.mechanisms");

  /** The prefix of per-listener settings of the SASL_SSL listener, all set by the fixture. */
  private static final String SASL_SSL_PREFIX = "listener.name.sasl_ssl.";

  /** The SASL mechanisms the SASL_SSL listener offers, as Kafka names them. */
  static final List<String> MECHANISMS = List.of("SCRAM-SHA-512", "SCRAM-SHA-256", "PLAIN");

  private static final Map<String, String> SINGLE_NODE_DEFAULTS = singleNodeDefaults();

  private BrokerProperties() {}

  static boolean isManaged(String key) {
    return MANAGED.contains(key) || key.startsWith(SASL_SSL_PREFIX);
  }

  static String hint(String key) {
    if (key.equals("auto.create.topics.enable")) {
      return "; use autoCreateTopics()";
    }
    if (key.equals("sasl.enabled.mechanisms") || key.startsWith(SASL_SSL_PREFIX)) {
      return "; use saslSslListener(..)";
    }
    return "";
  }

  /**
   * Renders the complete configuration of one broker; {@code saslSslPort} is used only when the
   * settings ask for a SASL_SSL listener.
   */
  static Map<String, String> render(
      BrokerSettings settings, int brokerPort, int controllerPort, int saslSslPort, Path dataDir) {
    Map<String, String> config = new LinkedHashMap<>();
    String plaintext = "PLAINTEXT://127.0.0.1:" + brokerPort;
    String saslSsl = settings.saslSsl().isPresent() ? ",SASL_SSL://127.0.0.1:" + saslSslPort : "";
    config.put("process.roles", "broker,controller");
    config.put("node.id", "1");
    config.put("controller.quorum.bootstrap.servers", "127.0.0.1:" + controllerPort);
    config.put("listeners", plaintext + saslSsl + ",CONTROLLER://127.0.0.1:" + controllerPort);
    config.put("advertised.listeners", plaintext + saslSsl);
    config.put(
        "listener.security.protocol.map",
        "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT"
            + (saslSsl.isEmpty() ? "" : ",SASL_SSL:SASL_SSL"));
    config.put("inter.broker.listener.name", "PLAINTEXT");
    config.put("controller.listener.names", "CONTROLLER");
    config.put("log.dirs", dataDir.toAbsolutePath().toString());
    config.put("auto.create.topics.enable", Boolean.toString(settings.autoCreateTopics()));
    config.putAll(SINGLE_NODE_DEFAULTS);
    settings.saslSsl().ifPresent(listener -> config.putAll(saslSsl(listener)));
    config.putAll(settings.brokerProperties());
    return config;
  }

  /**
   * The SASL_SSL listener's settings. SCRAM credentials live in the cluster metadata (see {@link
   * #scramCredentials}), so the SCRAM login modules take no options; PLAIN has no store of its own
   * and reads its users from the login module's {@code user_<name>} options.
   */
  private static Map<String, String> saslSsl(SaslSslListener listener) {
    Map<String, String> config = new LinkedHashMap<>();
    config.put("sasl.enabled.mechanisms", String.join(",", MECHANISMS));
    config.put(SASL_SSL_PREFIX + "ssl.keystore.type", "PKCS12");
    config.put(SASL_SSL_PREFIX + "ssl.keystore.location", listener.keyStore().toString());
    config.put(SASL_SSL_PREFIX + "ssl.keystore.password", listener.keyStorePassword());
    config.put(SASL_SSL_PREFIX + "ssl.key.password", listener.keyStorePassword());
    String scram = "org.apache.kafka.common.security.scram.ScramLoginModule required;";
    config.put(SASL_SSL_PREFIX + "scram-sha-512.sasl.jaas.config", scram);
    config.put(SASL_SSL_PREFIX + "scram-sha-256.sasl.jaas.config", scram);
    StringBuilder plain =
        new StringBuilder("org.apache.kafka.common.security.plain.PlainLoginModule required");
    listener
        .users()
        .forEach((name, password) -> plain.append(" user_" + name + "=\"" + password + "\""));
    config.put(SASL_SSL_PREFIX + "plain.sasl.jaas.config", plain.append(';').toString());
    return config;
  }

  /** The storage tool's {@code --add-scram} values: every user, for both SCRAM mechanisms. */
  static List<String> scramCredentials(SaslSslListener listener) {
    List<String> out = new ArrayList<>();
    listener
        .users()
        .forEach(
            (name, password) -> {
              for (String mechanism : MECHANISMS) {
                if (mechanism.startsWith("SCRAM-")) {
                  out.add(mechanism + "=[name=" + name + ",password=" + password + "]");
                }
              }
            });
    return out;
  }

  private static Map<String, String> singleNodeDefaults() {
    Map<String, String> defaults = new LinkedHashMap<>();
    defaults.put("num.partitions", "1");
    defaults.put("default.replication.factor", "1");
    defaults.put("min.insync.replicas", "1");
    defaults.put("offsets.topic.replication.factor", "1");
    defaults.put("offsets.topic.num.partitions", "1");
    defaults.put("transaction.state.log.replication.factor", "1");
    defaults.put("transaction.state.log.min.isr", "1");
    defaults.put("transaction.state.log.num.partitions", "1");
    defaults.put("share.coordinator.state.topic.replication.factor", "1");
    defaults.put("share.coordinator.state.topic.min.isr", "1");
    defaults.put("share.coordinator.state.topic.num.partitions", "1");
    // After a kill the controller keeps the dead incarnation until its session expires, which
    // would otherwise hold a restarted broker fenced for about nine seconds.
    defaults.put("broker.heartbeat.interval.ms", "500");
    defaults.put("broker.session.timeout.ms", "3000");
    defaults.put("group.initial.rebalance.delay.ms", "0");
    defaults.put("group.min.session.timeout.ms", "1000");
    defaults.put("group.consumer.heartbeat.interval.ms", "500");
    defaults.put("group.consumer.min.heartbeat.interval.ms", "100");
    defaults.put("group.consumer.session.timeout.ms", "10000");
    defaults.put("group.consumer.min.session.timeout.ms", "1000");
    defaults.put("group.share.heartbeat.interval.ms", "500");
    defaults.put("group.share.min.heartbeat.interval.ms", "100");
    defaults.put("group.share.session.timeout.ms", "10000");
    defaults.put("group.share.min.session.timeout.ms", "1000");
    // Lets a test shorten share.record.lock.duration.ms per group to see redelivery quickly.
    defaults.put("group.share.min.record.lock.duration.ms", "1000");
    return Collections.unmodifiableMap(defaults);
  }
}
