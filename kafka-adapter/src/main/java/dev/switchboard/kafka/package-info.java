/**
 * The Kafka transport. Start with {@link dev.switchboard.kafka.KafkaTransport#builder()}; every
 * other type here is an implementation detail.
 */
@NullMarked
package dev.switchboard.kafka;

import org.jspecify.annotations.NullMarked;
