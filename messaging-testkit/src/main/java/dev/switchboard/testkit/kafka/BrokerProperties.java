package dev.switchboard.testkit.kafka;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
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
          "auto.create.topics.enable");

  private static final Map<String, String> SINGLE_NODE_DEFAULTS = singleNodeDefaults();

  private BrokerProperties() {}

  static boolean isManaged(String key) {
    return MANAGED.contains(key);
  }

  static String hint(String key) {
    return key.equals("auto.create.topics.enable") ? "; use autoCreateTopics()" : "";
  }

  /** Renders the complete configuration of one broker. */
  static Map<String, String> render(
      BrokerSettings settings, int brokerPort, int controllerPort, Path dataDir) {
    Map<String, String> config = new LinkedHashMap<>();
    config.put("process.roles", "broker,controller");
    config.put("node.id", "1");
    config.put("controller.quorum.bootstrap.servers", "127.0.0.1:" + controllerPort);
    config.put(
        "listeners",
        "PLAINTEXT://127.0.0.1:" + brokerPort + ",CONTROLLER://127.0.0.1:" + controllerPort);
    config.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + brokerPort);
    config.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
    config.put("inter.broker.listener.name", "PLAINTEXT");
    config.put("controller.listener.names", "CONTROLLER");
    config.put("log.dirs", dataDir.toAbsolutePath().toString());
    config.put("auto.create.topics.enable", Boolean.toString(settings.autoCreateTopics()));
    config.putAll(SINGLE_NODE_DEFAULTS);
    config.putAll(settings.brokerProperties());
    return config;
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
