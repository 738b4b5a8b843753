/**
 * The Kafka transport. Start with {@link dev.switchboard.kafka.KafkaTransport#builder()}; TLS and
 * SASL come from {@link dev.switchboard.kafka.KafkaSecurity}, and a rejected login surfaces as
 * {@link dev.switchboard.kafka.KafkaAuthenticationException}. Every package-private type here is an
 * implementation detail.
 */
@NullMarked
package dev.switchboard.kafka;

import org.jspecify.annotations.NullMarked;
