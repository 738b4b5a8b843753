package dev.switchboard.messaging.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.switchboard.messaging.Envelope;
import dev.switchboard.messaging.spi.ConsumerSpec;
import dev.switchboard.messaging.spi.Destination;
import dev.switchboard.messaging.spi.TransportConsumer;
import dev.switchboard.messaging.spi.WireMessage;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class MemoryConsumerTest {
  @Test
  void closingGivesBackADeliveryWhoseHandlerIsStillRunning() throws Exception {
    InMemoryTransport transport = InMemoryTransport.create();
    Destination queue = Destination.queue("jobs");
    ConsumerSpec spec = new ConsumerSpec(queue, "jobs", 1, 1, List.of());
    CountDownLatch started = new CountDownLatch(1);
    CountDownLatch proceed = new CountDownLatch(1);
    TransportConsumer stuck =
        transport.consume(
            spec,
            d -> {
              started.countDown();
              try {
                proceed.await(10, TimeUnit.SECONDS);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
              // Settling after the close must change nothing: the message is back in the queue.
              return d.ack();
            });
    WireMessage message = new WireMessage(Envelope.builder().build(), new byte[] {1, 2, 3});
    transport.send(queue, message).join();
    assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();

    CompletableFuture<Void> closing =
        CompletableFuture.runAsync(() -> stuck.close(Duration.ofSeconds(10)));
    List<String> redelivered = new CopyOnWriteArrayList<>();
    TransportConsumer next =
        transport.consume(
            spec,
            d -> {
              redelivered.add(d.message().envelope().id());
              return d.ack();
            });

    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> assertThat(redelivered).containsExactly(message.envelope().id()));
    proceed.countDown();
    closing.get(10, TimeUnit.SECONDS);
    next.close();
    transport.close();
    assertThat(redelivered).containsExactly(message.envelope().id());
    assertThat(transport.depth(queue, "jobs")).isZero();
  }
}
