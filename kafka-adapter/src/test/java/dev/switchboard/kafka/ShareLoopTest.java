package dev.switchboard.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.switchboard.kafka.ledger.DeadLetterTopicOutage;
import dev.switchboard.messaging.ConsumerOptions;
import dev.switchboard.messaging.ConsumerState;
import dev.switchboard.messaging.Envelope;
import dev.switchboard.messaging.FatalMessageException;
import dev.switchboard.messaging.Messaging;
import dev.switchboard.messaging.MessagingListener;
import dev.switchboard.messaging.RetryPolicy;
import dev.switchboard.messaging.Subscription;
import dev.switchboard.messaging.spi.ConsumerSpec;
import dev.switchboard.messaging.spi.Delivery;
import dev.switchboard.messaging.spi.Destination;
import dev.switchboard.messaging.spi.TransportConsumer;
import dev.switchboard.testkit.conformance.AllowWarnings;
import dev.switchboard.testkit.conformance.LogCheck;
import dev.switchboard.testkit.kafka.KafkaBroker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Work queues on share groups, against a real broker. */
@ExtendWith(BrokerExtension.class)
class ShareLoopTest {
  private static final Logger LOG = LoggerFactory.getLogger(ShareLoopTest.class);

  private static final Duration PATIENCE = Duration.ofSeconds(90);

  @RegisterExtension
  @Order(1)
  final LogCheck logs = new LogCheck();

  @Test
  void threeShareConsumersOnOnePartition_handle300JobsEachExactlyOnce(KafkaBroker broker)
      throws Exception {
    String name = Wire.unique("jobs");
    Destination queue = Destination.queue(name);
    Map<String, AtomicInteger> handled = new ConcurrentHashMap<>();
    List<AtomicInteger> perConsumer =
        List.of(new AtomicInteger(), new AtomicInteger(), new AtomicInteger());
    try (KafkaTransport t = Wire.transport(broker).partitions(1).build()) {
      List<TransportConsumer> consumers = new ArrayList<>();
      for (AtomicInteger count : perConsumer) {
        consumers.add(
            t.consume(
                Wire.spec(queue, name, 4),
                Inbox.settling(
                    d -> {
                      handled
                          .computeIfAbsent(Inbox.body(d), k -> new AtomicInteger())
                          .incrementAndGet();
                      count.incrementAndGet();
                      return d.ack();
                    })));
      }
      long start = System.nanoTime();
      List<CompletableFuture<Void>> sends = new ArrayList<>();
      for (int i = 0; i < 300; i++) {
        sends.add(t.send(queue, Wire.message(null, "job-" + i)));
      }
      CompletableFuture.allOf(sends.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);

      await().atMost(PATIENCE).until(() -> handled.size() == 300);
      long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      // No late duplicates either: the count stays at one per job for a while.
      await()
          .during(Duration.ofSeconds(2))
          .atMost(Duration.ofSeconds(10))
          .until(() -> handled.values().stream().allMatch(c -> c.get() == 1));
      assertThat(perConsumer.stream().mapToInt(AtomicInteger::get).sum()).isEqualTo(300);
      System.out.println("300 jobs in " + ms + " ms, per consumer " + perConsumer);
    }
  }

  @Test
  void release_deliversAgainWithAHigherBrokerDeliveryCount(KafkaBroker broker) throws Exception {
    String name = Wire.unique("release");
    Destination queue = Destination.queue(name);
    Inbox inbox = Inbox.settling(d -> d.brokerDeliveryCount() == 1 ? d.release() : d.ack());
    try (KafkaTransport t = Wire.transport(broker).partitions(1).build()) {
      t.consume(Wire.spec(queue, name, 1), inbox);
      t.send(queue, Wire.message(null, "again")).get(30, TimeUnit.SECONDS);

      await().atMost(PATIENCE).until(() -> inbox.size() == 2);
      assertThat(inbox.deliveries())
          .extracting(Delivery::brokerDeliveryCount)
          .containsExactly(1, 2);
      assertThat(inbox.bodies()).containsExactly("again", "again");
    }
  }

  @Test
  void handlerLongerThanTheLock_renewsItAndIsNotDeliveredTwice(KafkaBroker broker)
      throws Exception {
    String name = Wire.unique("slowjob");
    Destination queue = Destination.queue(name);
    setGroupConfig(broker, name, "share.record.lock.duration.ms", "2000");
    AtomicInteger deliveries = new AtomicInteger();
    CountDownLatch acked = new CountDownLatch(1);
    Inbox inbox =
        Inbox.settling(
            d -> {
              deliveries.incrementAndGet();
              // Holds the worker for three lock durations.
              parkMillis(6_000);
              return d.ack().whenComplete((v, e) -> acked.countDown());
            });
    try (KafkaTransport t = Wire.transport(broker).partitions(1).build()) {
      t.consume(Wire.spec(queue, name, 2), inbox);
      t.send(queue, Wire.message(null, "slow")).get(30, TimeUnit.SECONDS);

      assertThat(acked.await(60, TimeUnit.SECONDS)).isTrue();
      await()
          .during(Duration.ofSeconds(3))
          .atMost(Duration.ofSeconds(10))
          .until(() -> deliveries.get() == 1);
      assertThat(inbox.deliveries().get(0).brokerDeliveryCount()).isEqualTo(1);
    }
  }

  /**
   * Stopping takes back the records waiting for a worker. They used to be dropped without an
   * acknowledgement, so the next poll (to renew the lock of the record still in the handler) threw
   * and the consumer stopped; now they are released at once and another member gets them.
   */
  @Test
  void stopFetchingWhileAHandlerRuns_releasesTheWaitingRecordsAndKeepsTheConsumerAlive(
      KafkaBroker broker) throws Exception {
    String name = Wire.unique("stopping");
    Destination queue = Destination.queue(name);
    setGroupConfig(broker, name, "share.record.lock.duration.ms", "2000");
    CountDownLatch inHandler = new CountDownLatch(1);
    CountDownLatch letGo = new CountDownLatch(1);
    CountDownLatch acked = new CountDownLatch(1);
    Inbox first =
        Inbox.settling(
            d -> {
              inHandler.countDown();
              awaitQuietly(letGo);
              return d.ack().whenComplete((v, e) -> acked.countDown());
            });
    Inbox second = Inbox.acking();
    try (KafkaTransport t = Wire.transport(broker).partitions(1).build()) {
      for (int i = 0; i < 8; i++) {
        t.send(queue, Wire.message(null, "job-" + i)).get(30, TimeUnit.SECONDS);
      }
      TransportConsumer stopping = t.consume(new ConsumerSpec(queue, name, 1, 8, List.of()), first);
      assertThat(inHandler.await(60, TimeUnit.SECONDS)).isTrue();

      stopping.stopFetching();
      t.consume(Wire.spec(queue, name, 2), second);
      await().atMost(PATIENCE).until(() -> second.size() == 7);
      letGo.countDown();

      assertThat(acked.await(30, TimeUnit.SECONDS)).isTrue();
      assertThat(stopping.failed()).isFalse();
      List<String> all = new ArrayList<>(first.bodies());
      all.addAll(second.bodies());
      assertThat(all)
          .containsExactlyInAnyOrderElementsOf(
              IntStream.range(0, 8).mapToObj(i -> "job-" + i).toList());
    } finally {
      letGo.countDown();
    }
  }

  /**
   * A dead letter refused for longer than the core's patience keeps its record held while the queue
   * has a backlog. The consumer used to poll with renewals outstanding, which made it fetch batch
   * after batch into its buffer; their locks lapsed there, the broker handed the same offsets out
   * again, one poll returned two copies of a record, and the next poll threw ("All records must be
   * acknowledged in explicit acknowledgement mode"), leaving the consumer FAILED and the fatal
   * messages out of the dead-letter topic.
   */
  @Test
  @AllowWarnings("dead-letter publishes are refused during the outage")
  void deadLetterOutageLongerThanThePatience_keepsTheShareConsumerRunningAndLosesNothing(
      KafkaBroker broker) throws Exception {
    String queue = Wire.unique("dlt-outage");
    setGroupConfig(broker, queue, "share.record.lock.duration.ms", "2000");
    // Two deliveries: records that sat in a buffer past their locks move on quickly, so batches
    // fetched one after another overlap only in part.
    setGroupConfig(broker, queue, "share.delivery.count.limit", "2");
    List<String> fatal = List.of("fatal-0", "fatal-1", "fatal-2");
    int good = 300;
    Map<String, AtomicInteger> handlings = new ConcurrentHashMap<>();
    Map<String, String> envelopeIds = new ConcurrentHashMap<>();
    List<String> toolkitErrors = new CopyOnWriteArrayList<>();
    MessagingListener listener =
        new MessagingListener() {
          @Override
          public void handlerFailed(
              String destination, String group, Envelope envelope, Throwable error, String next) {}

          @Override
          public void toolkitError(String what, Throwable error) {
            toolkitErrors.add(what);
          }
        };
    KafkaTransport transport = Wire.transport(broker).partitions(1).build();
    try (Messaging messaging =
            Messaging.builder()
                .transport(transport)
                .register("test.job", Job.class)
                .listener(listener)
                .build();
        DeadLetterTopicOutage outage =
            new DeadLetterTopicOutage(broker.bootstrapServers(), queue + "." + queue + ".dlt")) {
      Subscription consumer =
          messaging.consume(
              queue,
              Job.class,
              (job, context) -> {
                handlings.computeIfAbsent(job.id(), k -> new AtomicInteger()).incrementAndGet();
                envelopeIds.put(job.id(), context.envelope().id());
                if (job.id().startsWith("fatal")) {
                  throw new FatalMessageException(job.id() + " is fatal");
                }
              },
              ConsumerOptions.builder()
                  .concurrency(2)
                  .retry(RetryPolicy.builder().fatalOn(FatalMessageException.class).build())
                  .build());
      outage.begin();
      for (String id : fatal) {
        messaging.send(queue, new Job(id)).get(30, TimeUnit.SECONDS);
      }
      for (int i = 0; i < good; i++) {
        messaging.send(queue, new Job("good-" + i)).get(30, TimeUnit.SECONDS);
      }

      // The core gives a fatal message back after 30 s of refused dead-letter publishes and says
      // so through the listener, naming the message's id.
      await("every fatal message given back after its dead letter was refused")
          .atMost(Duration.ofSeconds(120))
          .until(
              () ->
                  fatal.stream()
                      .map(envelopeIds::get)
                      .allMatch(
                          id ->
                              id != null
                                  && toolkitErrors.stream()
                                      .anyMatch(
                                          what ->
                                              what.contains(id)
                                                  && what.contains("giving the message back"))));
      outage.end();

      await("every fatal message in the dead-letter topic")
          .atMost(PATIENCE)
          .until(() -> deadLetterIds(messaging, queue).containsAll(fatal));
      await("every good message handled")
          .atMost(PATIENCE)
          .until(
              () ->
                  IntStream.range(0, good)
                      .allMatch(i -> handledAtLeast(handlings, "good-" + i, 1)));
      assertThat(consumer.state()).isEqualTo(ConsumerState.RUNNING);
      assertThat(deadLetterIds(messaging, queue)).hasSameElementsAs(fatal);
      assertThat(toolkitErrors)
          .as("only give-backs of refused dead letters")
          .allMatch(what -> what.contains("giving the message back"));
      long repeats =
          handlings.entrySet().stream()
              .filter(e -> e.getKey().startsWith("good"))
              .mapToInt(e -> e.getValue().get() - 1)
              .sum();
      LOG.info("dead-letter outage: {} repeated handlings of good messages", repeats);
    }
  }

  /** The payload of the dead-letter outage test. */
  record Job(String id) {}

  private static boolean handledAtLeast(Map<String, AtomicInteger> handlings, String id, int n) {
    AtomicInteger count = handlings.get(id);
    return count != null && count.get() >= n;
  }

  private static List<String> deadLetterIds(Messaging messaging, String queue) {
    return messaging.queueDeadLetters(queue).browse(100).stream()
        .map(d -> messaging.decode(d, Job.class).id())
        .toList();
  }

  private static void setGroupConfig(KafkaBroker broker, String group, String key, String value)
      throws Exception {
    try (Admin admin = Admin.create(broker.clientConfig())) {
      ConfigResource r = new ConfigResource(ConfigResource.Type.GROUP, group);
      AlterConfigOp op = new AlterConfigOp(new ConfigEntry(key, value), AlterConfigOp.OpType.SET);
      admin.incrementalAlterConfigs(Map.of(r, List.of(op))).all().get(30, TimeUnit.SECONDS);
    }
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await(60, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void parkMillis(long ms) {
    long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ms);
    while (System.nanoTime() < end) {
      java.util.concurrent.locks.LockSupport.parkNanos(end - System.nanoTime());
    }
  }
}
