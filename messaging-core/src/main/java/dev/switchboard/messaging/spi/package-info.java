/**
 * The transport SPI. A transport moves {@link dev.switchboard.messaging.spi.WireMessage}s between
 * processes and reports deliveries to the core; everything above that (decoding, retry, dead-letter
 * envelopes, request-reply correlation, breakers, deadlines) lives in the core.
 *
 * <p>Transport vocabulary (partitions, exchanges, offsets) stays inside each adapter. The only way
 * a handler reaches it is {@link dev.switchboard.messaging.MessageContext#unwrap(Class)}.
 */
@NullMarked
package dev.switchboard.messaging.spi;

import org.jspecify.annotations.NullMarked;
