package dev.switchboard.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.switchboard.messaging.memory.InMemoryTransport;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class MessagingSmokeTest {
  record Ping(String text) {}

  @Test
  void publishSubscribeRequestReplyAndDeadLetterOnTheInMemoryTransport() throws Exception {
    try (Messaging m =
        Messaging.builder()
            .transport(InMemoryTransport.create())
            .register("Ping", Ping.class)
            .source("test")
            .build()) {
      List<String> seen = new CopyOnWriteArrayList<>();
      m.subscribe("t", "g", Ping.class, (p, ctx) -> seen.add(p.text()));
      m.publish("t", new Ping("hello")).join();
      await().atMost(Duration.ofSeconds(5)).until(() -> seen.size() == 1);
      assertThat(seen).containsExactly("hello");

      m.respond("echo", Ping.class, (p, ctx) -> new Ping(p.text() + "!"));
      Ping reply = m.request("echo", new Ping("hi"), Ping.class, Duration.ofSeconds(5)).join();
      assertThat(reply.text()).isEqualTo("hi!");

      m.subscribe(
          "bad",
          "g",
          Ping.class,
          (p, ctx) -> {
            throw new FatalMessageException("nope");
          });
      m.publish("bad", new Ping("x")).join();
      DeadLetters dl = m.deadLetters("bad", "g");
      await().atMost(Duration.ofSeconds(5)).until(() -> dl.count() == 1);
      assertThat(dl.browse(10).get(0).failure().orElseThrow().reason())
          .isEqualTo(FailureReason.EXCEPTION);
    }
  }
}
