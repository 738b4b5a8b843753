/**
 * The RabbitMQ transport. {@link dev.switchboard.rabbit.RabbitTransport#builder()} is the only
 * public entry point; everything else in this package is an implementation detail.
 *
 * <p>How topics, queues, retries and dead letters map onto exchanges and queues is described on
 * {@link dev.switchboard.rabbit.RabbitTransport}.
 */
@NullMarked
package dev.switchboard.rabbit;

import org.jspecify.annotations.NullMarked;
