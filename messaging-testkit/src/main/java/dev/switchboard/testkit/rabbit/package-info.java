/**
 * RabbitMQ brokers for tests, examples and benchmarks.
 *
 * <p>{@link dev.switchboard.testkit.rabbit.RabbitBroker} describes a broker to connect to: the
 * machine's own node at 127.0.0.1:5672 (guest/guest) or the one named by {@code
 * SWITCHBOARD_RABBIT_URI}, with a check that fails in CI and skips elsewhere when it is missing.
 * {@link dev.switchboard.testkit.rabbit.PrivateRabbitNode} starts a RabbitMQ node of its own, on
 * its own ports and data directory, for tests that stop, kill or restart the broker, or that need a
 * TLS listener or users of their own.
 */
@NullMarked
package dev.switchboard.testkit.rabbit;

import org.jspecify.annotations.NullMarked;
