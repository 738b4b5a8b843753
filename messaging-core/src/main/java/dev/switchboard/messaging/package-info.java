/**
 * The Switchboard messaging API: publish-subscribe, work queues and request-reply over a pluggable
 * {@link dev.switchboard.messaging.spi.Transport}.
 *
 * <p>Start with {@link dev.switchboard.messaging.Messaging#builder()}. Retry, dead-lettering,
 * circuit breakers, deadlines and correlation are implemented here once and behave the same on
 * every transport; see {@code docs/guarantees.md} for what each transport promises.
 */
@NullMarked
package dev.switchboard.messaging;

import org.jspecify.annotations.NullMarked;
