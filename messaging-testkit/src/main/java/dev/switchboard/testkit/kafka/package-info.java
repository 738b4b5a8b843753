/**
 * Kafka brokers for tests, examples and benchmarks.
 *
 * <p>{@link dev.switchboard.testkit.kafka.KafkaBroker} runs a real single-node Apache Kafka broker
 * (KRaft, combined broker and controller) in a child JVM whose class path is kept apart from the
 * caller's, shares one such broker across a test run, or points at an external cluster named by
 * {@code SWITCHBOARD_KAFKA_BOOTSTRAP}. {@link dev.switchboard.testkit.kafka.KafkaBrokerExtension}
 * hands the shared broker to JUnit Jupiter tests.
 */
@NullMarked
package dev.switchboard.testkit.kafka;

import org.jspecify.annotations.NullMarked;
