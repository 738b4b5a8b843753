/** Small helpers shared by the broker fixtures: loopback ports, log tails and test certificates. */
@NullMarked
package dev.switchboard.testkit.support;

import org.jspecify.annotations.NullMarked;
