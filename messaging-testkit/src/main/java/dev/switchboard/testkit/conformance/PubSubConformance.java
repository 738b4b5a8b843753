package dev.switchboard.testkit.conformance;

import static dev.switchboard.testkit.conformance.Fixtures.numbers;
import static dev.switchboard.testkit.conformance.Fixtures.simulateWork;
import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.messaging.ConsumerOptions;
import dev.switchboard.messaging.Envelope;
import dev.switchboard.messaging.Messaging;
import dev.switchboard.messaging.SendOptions;
import dev.switchboard.messaging.spi.Capability;
import dev.switchboard.testkit.conformance.TestMessages.Item;
import dev.switchboard.testkit.conformance.TestMessages.Keyed;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Publish-subscribe: fan-out to groups, competition inside a group, order per key, and what a
 * message carries from publisher to handler.
 */
public abstract class PubSubConformance {
  @RegisterExtension
  @Order(1)
  final LogCheck logs = new LogCheck();

  @RegisterExtension
  @Order(2)
  final Kit kit = new Kit(this::target);

  /** The transport under test. */
  protected abstract ConformanceTarget target();

  @Test
  void everyGroupOfATopicReceivesEveryMessage() {
    int count = 100;
    String topic = kit.name("fanout");
    Tally billing = new Tally();
    Tally audit = new Tally();
    kit.messaging()
        .subscribe(topic, kit.name("billing"), Item.class, (item, ctx) -> billing.record(item.n()));
    kit.messaging()
        .subscribe(topic, kit.name("audit"), Item.class, (item, ctx) -> audit.record(item.n()));

    kit.publishItems(kit.messaging(), topic, count);

    Set<Integer> all = numbers(count);
    kit.await()
        .untilAsserted(
            () -> {
              assertThat(billing.numbers()).isEqualTo(all);
              assertThat(audit.numbers()).isEqualTo(all);
            });
    assertThat(billing.duplicates()).isEmpty();
    assertThat(audit.duplicates()).isEmpty();
  }

  @Test
  void membersOfOneGroupShareItsMessagesEachHandledOnce() {
    int count = 200;
    String topic = kit.name("compete");
    String group = kit.name("workers");
    Tally first = new Tally();
    Tally second = new Tally();
    ConsumerOptions oneAtATime = ConsumerOptions.builder().concurrency(1).build();
    kit.messaging()
        .subscribe(topic, group, Item.class, (item, ctx) -> work(item, first), oneAtATime);
    kit.messaging()
        .subscribe(topic, group, Item.class, (item, ctx) -> work(item, second), oneAtATime);
    Messaging publisher = kit.messaging();
    // A partitioned broker hands a new member its share only after a rebalance: send probes until
    // both members are receiving, so that the counted messages meet a settled group.
    AtomicInteger probe = new AtomicInteger();
    kit.await()
        .pollInterval(Duration.ofMillis(50))
        .until(
            () -> {
              int p = probe.decrementAndGet();
              publisher.publish(topic, new Item(p), SendOptions.key("probe" + p)).join();
              return first.sawProbe() && second.sawProbe();
            });

    List<CompletableFuture<Envelope>> sent = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      sent.add(publisher.publish(topic, new Item(i), SendOptions.key("item-" + i)));
    }
    kit.joinAll(sent);

    kit.await()
        .untilAsserted(() -> assertThat(first.distinct() + second.distinct()).isEqualTo(count));
    Set<Integer> union = new HashSet<>(first.numbers());
    union.addAll(second.numbers());
    Set<Integer> overlap = new HashSet<>(first.numbers());
    overlap.retainAll(second.numbers());
    assertThat(union).isEqualTo(numbers(count));
    assertThat(overlap).as("messages handled by both members").isEmpty();
    assertThat(first.duplicates()).isEmpty();
    assertThat(second.duplicates()).isEmpty();
    assertThat(first.distinct()).as("messages the first member handled").isPositive();
    assertThat(second.distinct()).as("messages the second member handled").isPositive();
  }

  @Test
  void messagesWithTheSameKeyAreHandledInPublishOrder() {
    kit.require(Capability.ORDER_PER_KEY);
    int keys = 5;
    int perKey = 100;
    String topic = kit.name("ordered");
    Map<String, List<Integer>> seen = new ConcurrentHashMap<>();
    Map<String, AtomicInteger> running = new ConcurrentHashMap<>();
    AtomicInteger overlaps = new AtomicInteger();
    kit.messaging()
        .subscribe(
            topic,
            kit.name("in-order"),
            Keyed.class,
            (msg, ctx) -> {
              AtomicInteger now = running.computeIfAbsent(msg.key(), k -> new AtomicInteger());
              if (now.incrementAndGet() > 1) {
                overlaps.incrementAndGet();
              }
              try {
                simulateWork(Duration.ofNanos(ThreadLocalRandom.current().nextLong(1_000_000)));
                seen.computeIfAbsent(
                        msg.key(), k -> Collections.synchronizedList(new ArrayList<>()))
                    .add(msg.seq());
              } finally {
                now.decrementAndGet();
              }
            },
            ConsumerOptions.builder().concurrency(4).build());

    Messaging publisher = kit.messaging();
    List<CompletableFuture<Envelope>> sent = new ArrayList<>();
    for (int seq = 0; seq < perKey; seq++) {
      for (int k = 0; k < keys; k++) {
        String key = "key-" + k;
        sent.add(publisher.publish(topic, new Keyed(key, seq), SendOptions.key(key)));
      }
    }
    kit.joinAll(sent);

    kit.await()
        .untilAsserted(
            () ->
                assertThat(seen.values().stream().mapToInt(List::size).sum())
                    .isEqualTo(keys * perKey));
    List<Integer> inOrder = IntStream.range(0, perKey).boxed().toList();
    assertThat(seen).hasSize(keys);
    seen.forEach(
        (key, got) -> {
          synchronized (got) {
            assertThat(List.copyOf(got)).as("sequence of %s", key).isEqualTo(inOrder);
          }
        });
    assertThat(overlaps).as("handler calls for one key that overlapped").hasValue(0);
  }

  @Test
  void keyHeadersAndIdentityArriveUnchanged() {
    String topic = kit.name("headers");
    AtomicReference<Envelope> received = new AtomicReference<>();
    kit.messaging()
        .subscribe(
            topic, kit.name("reader"), Item.class, (item, ctx) -> received.set(ctx.envelope()));
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("greeting", "Grüße aus Köln, żółw, 日本語, emoji \uD83D\uDC22");
    headers.put("empty", "");
    headers.put("spaces", "  leading and trailing  ");
    for (int i = 0; i < 100; i++) {
      headers.put("h" + i, "value-" + i + "-" + "é".repeat(i % 7));
    }
    SendOptions options = SendOptions.builder().key("customer-Ünïcødé-42").headers(headers).build();

    Envelope sent = kit.messaging().publish(topic, new Item(1), options).join();

    kit.await().untilAsserted(() -> assertThat(received.get()).isNotNull());
    Envelope got = received.get();
    assertThat(got.id()).isEqualTo(sent.id());
    assertThat(got.type()).isEqualTo(TestMessages.ITEM);
    assertThat(got.source()).isEqualTo(sent.source());
    assertThat(got.time()).isEqualTo(sent.time());
    assertThat(got.key()).contains("customer-Ünïcødé-42");
    assertThat(got.attempt()).isEqualTo(1);
    assertThat(got.contentType()).isEqualTo(sent.contentType());
    assertThat(got.correlationId()).isEmpty();
    assertThat(got.headers()).containsAllEntriesOf(headers);
  }

  private static void work(Item item, Tally tally) throws InterruptedException {
    if (item.n() >= 0) {
      // A little work per message, so that one member cannot take them all before the other.
      simulateWork(Duration.ofMillis(2));
    }
    tally.record(item.n());
  }
}
