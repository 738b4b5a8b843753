package dev.switchboard.kafka;

/** How a Kafka client proves who it is with a user name and password over SASL. */
public enum SaslMechanism {
  /**
   * SCRAM with SHA-512 (RFC 5802, RFC 7677): the password never crosses the wire and the broker
   * stores only salted hashes. The preferred choice.
   */
  SCRAM_SHA_512("SCRAM-SHA-512", "org.apache.kafka.common.security.scram.ScramLoginModule"),

  /** SCRAM with SHA-256, for brokers that hold no SHA-512 credentials. */
  SCRAM_SHA_256("SCRAM-SHA-256", "org.apache.kafka.common.security.scram.ScramLoginModule"),

  /**
   * The password itself is sent to the broker, protected only by TLS, which {@link KafkaSecurity}
   * always uses.
   */
  PLAIN("PLAIN", "org.apache.kafka.common.security.plain.PlainLoginModule");

  private final String kafkaName;
  private final String loginModule;

  SaslMechanism(String kafkaName, String loginModule) {
    this.kafkaName = kafkaName;
    this.loginModule = loginModule;
  }

  /** The name Kafka uses for it in {@code sasl.mechanism}, such as {@code SCRAM-SHA-512}. */
  public String kafkaName() {
    return kafkaName;
  }

  String loginModule() {
    return loginModule;
  }
}
