/**
 * The in-memory transport: the same semantics as the broker transports inside one JVM, for examples
 * and for users' own tests.
 */
@NullMarked
package dev.switchboard.messaging.memory;

import org.jspecify.annotations.NullMarked;
