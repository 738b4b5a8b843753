/**
 * A runnable tour of Switchboard. {@link dev.switchboard.examples.Demo} is the command line; each
 * example is a class of its own that returns a result record, so that tests can check what happened
 * and not only that something ran.
 *
 * <ul>
 *   <li>{@code OrderEventsExample}: publish-subscribe with two subscriber groups, competing
 *       instances and per-key order.
 *   <li>{@code WorkQueueExample}: competing workers, retry with backoff, dead letters and redrive.
 *   <li>{@code RequestReplyExample}: correlation, timeouts, remote errors, a client-side circuit
 *       breaker and a deadline that travels into a nested call.
 * </ul>
 */
@NullMarked
package dev.switchboard.examples;

import org.jspecify.annotations.NullMarked;
