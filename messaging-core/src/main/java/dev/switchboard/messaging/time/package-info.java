/**
 * Injectable time: a {@link dev.switchboard.messaging.time.Scheduler} for delays and timeouts, and
 * a {@link dev.switchboard.messaging.time.VirtualTime} that runs them instantly in tests.
 */
@NullMarked
package dev.switchboard.messaging.time;

import org.jspecify.annotations.NullMarked;
