/**
 * The RabbitMQ transport. {@link dev.switchboard.rabbit.RabbitTransport#builder()} is the entry
 * point; {@link dev.switchboard.rabbit.RabbitTls} configures TLS for it, and {@link
 * dev.switchboard.rabbit.RabbitAuthenticationException} reports a refused login or TLS handshake.
 * Everything else in this package is an implementation detail.
 *
 * <p>How topics, queues, retries and dead letters map onto exchanges and queues is described on
 * {@link dev.switchboard.rabbit.RabbitTransport}.
 */
@NullMarked
package dev.switchboard.rabbit;

import org.jspecify.annotations.NullMarked;
