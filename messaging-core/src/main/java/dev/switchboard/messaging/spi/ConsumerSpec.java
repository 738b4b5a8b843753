package dev.switchboard.messaging.spi;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * What the core asks a transport to consume.
 *
 * @param destination the topic or queue
 * @param group the subscriber group; for a queue, the queue's name
 * @param concurrency how many deliveries may be in the handler at once, from 1
 * @param prefetch how many messages the transport may hold unsettled, at least {@code concurrency}
 * @param redeliveryDelays the delays {@link Delivery#redeliver} will be asked for, ascending, so
 *     that transports with fixed delay levels can create them up front
 */
public record ConsumerSpec(
    Destination destination,
    String group,
    int concurrency,
    int prefetch,
    List<Duration> redeliveryDelays) {
  public ConsumerSpec {
    Objects.requireNonNull(destination, "destination");
    Destination.requireName(group, "group");
    if (concurrency < 1) {
      throw new IllegalArgumentException("concurrency must be >= 1, was " + concurrency);
    }
    if (prefetch < concurrency) {
      throw new IllegalArgumentException(
          "prefetch (" + prefetch + ") must be >= concurrency (" + concurrency + ")");
    }
    redeliveryDelays = List.copyOf(redeliveryDelays);
  }
}
