package dev.switchboard.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.switchboard.messaging.DestinationNotFoundException;
import dev.switchboard.messaging.Envelope;
import dev.switchboard.messaging.spi.ReplyEndpoint;
import dev.switchboard.messaging.spi.WireMessage;
import dev.switchboard.testkit.conformance.LogCheck;
import dev.switchboard.testkit.kafka.KafkaBroker;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Reply topics for request-reply, on a real broker. */
@ExtendWith(BrokerExtension.class)
class KafkaReplyEndpointTest {
  private static final Duration PATIENCE = Duration.ofSeconds(30);

  @RegisterExtension
  @Order(1)
  final LogCheck logs = new LogCheck();

  @Test
  void twoRequesterInstances_eachSeeOnlyTheirOwnReplies(KafkaBroker broker) throws Exception {
    List<WireMessage> seenByA = new CopyOnWriteArrayList<>();
    List<WireMessage> seenByB = new CopyOnWriteArrayList<>();
    String oddId = "corr-\u00e9\u2713-\ud83d\ude00- spaced\ttab";
    try (KafkaTransport a = Wire.transport(broker).build();
        KafkaTransport b = Wire.transport(broker).build();
        KafkaTransport responder = Wire.transport(broker).build()) {
      ReplyEndpoint endpointA = a.openReplyEndpoint(seenByA::add);
      ReplyEndpoint endpointB = b.openReplyEndpoint(seenByB::add);
      assertThat(endpointA.address()).startsWith("sb.reply.").isNotEqualTo(endpointB.address());
      // Sent right after opening: the endpoint must already be positioned.
      for (int i = 0; i < 5; i++) {
        responder.reply(endpointA.address(), reply(oddId + "-a" + i)).get(30, TimeUnit.SECONDS);
        responder.reply(endpointB.address(), reply(oddId + "-b" + i)).get(30, TimeUnit.SECONDS);
      }

      await().atMost(PATIENCE).until(() -> seenByA.size() == 5 && seenByB.size() == 5);
      assertThat(seenByA)
          .extracting(m -> m.envelope().correlationId().orElseThrow())
          .containsExactly(ids(oddId + "-a"));
      assertThat(seenByB)
          .extracting(m -> m.envelope().correlationId().orElseThrow())
          .containsExactly(ids(oddId + "-b"));
      assertThat(
              seenByA
                  .get(0)
                  .envelope()
                  .correlationId()
                  .orElseThrow()
                  .getBytes(StandardCharsets.UTF_8))
          .isEqualTo((oddId + "-a0").getBytes(StandardCharsets.UTF_8));
      endpointA.close();
      endpointB.close();
    }
  }

  @Test
  void close_deletesTheReplyTopic_andLaterRepliesFail(KafkaBroker broker) throws Exception {
    try (KafkaTransport requester = Wire.transport(broker).build();
        KafkaTransport responder = Wire.transport(broker).build();
        Admin admin = Admin.create(broker.clientConfig())) {
      ReplyEndpoint endpoint = requester.openReplyEndpoint(m -> {});
      String address = endpoint.address();
      assertThat(admin.listTopics().names().get(30, TimeUnit.SECONDS)).contains(address);

      endpoint.close();

      await()
          .atMost(PATIENCE)
          .until(() -> !admin.listTopics().names().get(30, TimeUnit.SECONDS).contains(address));
      assertThatThrownBy(() -> responder.reply(address, reply("late")).get(30, TimeUnit.SECONDS))
          .cause()
          .isInstanceOf(DestinationNotFoundException.class)
          .hasMessageContaining(address);
    }
  }

  private static String[] ids(String prefix) {
    String[] out = new String[5];
    for (int i = 0; i < 5; i++) {
      out[i] = prefix + i;
    }
    return out;
  }

  private static WireMessage reply(String correlationId) {
    return new WireMessage(
        Envelope.builder().correlationId(correlationId).type("answer").build(),
        correlationId.getBytes(StandardCharsets.UTF_8));
  }
}
