/**
 * The conformance kit: the cases every transport must pass, written once against the public API.
 *
 * <p>Each suite is an abstract JUnit Jupiter class ({@link
 * dev.switchboard.testkit.conformance.PubSubConformance}, {@link
 * dev.switchboard.testkit.conformance.RetryConformance}, ...). A transport runs a suite by
 * extending it and returning its {@link dev.switchboard.testkit.conformance.ConformanceTarget}:
 *
 * <pre>{@code
 * class KafkaPubSubConformanceTest extends PubSubConformance {
 *   @Override
 *   protected ConformanceTarget target() {
 *     return KafkaTargets.shared();
 *   }
 * }
 * }</pre>
 *
 * <p>A case that needs an optional behaviour is skipped, through a JUnit assumption, only when the
 * target does not declare the matching {@link dev.switchboard.messaging.spi.Capability}. Every case
 * uses destination and group names of its own, so suites can share one broker, and closes
 * everything it opens. Happy-path cases fail when the toolkit logged a warning or an error ({@link
 * dev.switchboard.testkit.conformance.LogCheck}). {@code docs/conformance.md} lists the cases and
 * the capabilities.
 */
@NullMarked
package dev.switchboard.testkit.conformance;

import org.jspecify.annotations.NullMarked;
