/** Small helpers shared by the broker fixtures: loopback ports and log tails. */
@NullMarked
package dev.switchboard.testkit.support;

import org.jspecify.annotations.NullMarked;
