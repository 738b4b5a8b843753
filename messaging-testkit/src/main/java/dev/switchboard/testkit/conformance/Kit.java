package dev.switchboard.testkit.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.switchboard.messaging.Envelope;
import dev.switchboard.messaging.Messaging;
import dev.switchboard.messaging.Subscription;
import dev.switchboard.messaging.spi.Capability;
import dev.switchboard.messaging.spi.Transport;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionFactory;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The per-test fixture of every suite: simulated processes on the target, unique names, waiting
 * with the target's patience, and closing everything the test opened.
 *
 * <p>A suite registers one on an instance field, so each test gets a fresh one. The target is
 * fetched on first use, inside the test, never while JUnit builds the test instance.
 */
final class Kit implements AfterEachCallback {
  private static final Duration POLL = Duration.ofMillis(10);

  private final Supplier<ConformanceTarget> targets;
  private final Deque<AutoCloseable> opened = new ArrayDeque<>();
  private final AtomicInteger processes = new AtomicInteger();
  private final String run = UUID.randomUUID().toString().substring(0, 8);
  private @Nullable ConformanceTarget target;
  private @Nullable ExecutorService background;

  Kit(Supplier<ConformanceTarget> targets) {
    this.targets = targets;
  }

  synchronized ConformanceTarget target() {
    if (target == null) {
      target = Objects.requireNonNull(targets.get(), "target() returned null");
    }
    return target;
  }

  /** Skips the test unless the target declares every one of {@code needed}. */
  void require(Capability... needed) {
    for (Capability c : needed) {
      assumeTrue(
          target().capabilities().contains(c),
          () -> target().name() + " does not declare " + c + "; the case needs it");
    }
  }

  Duration patience() {
    return target().patience();
  }

  /** A destination or group name no other test uses: {@code what} plus this test's suffix. */
  String name(String what) {
    return "sbc-" + what + "-" + run;
  }

  /** A new simulated process: a {@link Messaging} on a transport of its own. */
  Messaging messaging() {
    return messaging(b -> {});
  }

  /**
   * A new simulated process with settings of the case's own (a payload limit, a request policy).
   * The kit sets the transport, the source and the test payload types; {@code settings} must not.
   */
  Messaging messaging(Consumer<Messaging.Builder> settings) {
    int n = processes.incrementAndGet();
    Transport transport = target().create();
    Messaging m;
    try {
      Messaging.Builder b =
          TestMessages.registerAll(Messaging.builder())
              .transport(transport)
              .source("conformance-" + target().name() + "-" + n);
      settings.accept(b);
      m = b.build();
    } catch (RuntimeException e) {
      transport.close();
      throw e;
    }
    track(m);
    return m;
  }

  /** A bare transport for cases that speak the SPI directly; closed after the test. */
  Transport transport() {
    Transport t = target().create();
    track(t);
    return t;
  }

  /** Waits at most the target's patience, polling often. */
  ConditionFactory await() {
    return Awaitility.await().atMost(patience()).pollDelay(Duration.ZERO).pollInterval(POLL);
  }

  /** Waits until a condition has held for all of {@code hold}. */
  ConditionFactory holdFor(Duration hold) {
    return Awaitility.await()
        .during(hold)
        .atMost(hold.plus(patience()))
        .pollDelay(Duration.ZERO)
        .pollInterval(POLL);
  }

  /**
   * Waits until none of {@code consumers} holds a message, so that closing them at the end of the
   * case gives nothing back to the broker. A responder acknowledges a request only after its reply
   * is confirmed, so the requester can have the answer a moment before the request is settled.
   */
  void awaitSettled(Subscription... consumers) {
    for (Subscription c : consumers) {
      await()
          .untilAsserted(
              () ->
                  assertThat(c.stats().inFlight())
                      .as("messages held by %s", c.destination())
                      .isZero());
    }
  }

  /** Joins every future within the target's patience, failing with the first failure. */
  void joinAll(List<? extends CompletableFuture<?>> futures) {
    try {
      CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new))
          .get(patience().toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw new AssertionError("a send failed: " + e.getCause(), e.getCause());
    } catch (TimeoutException e) {
      throw new AssertionError("sends not confirmed within " + patience(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  /** Waits at most the target's patience for {@code future}, failing the test if it fails. */
  <T> T get(CompletableFuture<T> future) {
    joinAll(List.of(future));
    return future.join();
  }

  /** Publishes items {@code 0 .. count-1} to {@code topic} and waits for every confirmation. */
  void publishItems(Messaging publisher, String topic, int count) {
    List<CompletableFuture<Envelope>> sent = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      sent.add(publisher.publish(topic, new TestMessages.Item(i)));
    }
    joinAll(sent);
  }

  /** Sends items {@code 0 .. count-1} to the work queue {@code queue} and waits for them. */
  void sendItems(Messaging sender, String queue, int count) {
    List<CompletableFuture<Envelope>> sent = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      sent.add(sender.send(queue, new TestMessages.Item(i)));
    }
    joinAll(sent);
  }

  /** Runs {@code task} on a thread of the kit's own, which is stopped after the test. */
  synchronized <T> CompletableFuture<T> inBackground(Supplier<T> task) {
    if (background == null) {
      background =
          Executors.newCachedThreadPool(
              r -> {
                Thread t = new Thread(r, "conformance-background");
                t.setDaemon(true);
                return t;
              });
    }
    return CompletableFuture.supplyAsync(task, background);
  }

  private synchronized void track(AutoCloseable resource) {
    opened.push(resource);
  }

  @Override
  public void afterEach(ExtensionContext context) throws Exception {
    Exception failure = null;
    while (true) {
      AutoCloseable next;
      synchronized (this) {
        next = opened.poll();
      }
      if (next == null) {
        break;
      }
      try {
        next.close();
      } catch (Exception e) {
        if (failure == null) {
          failure = e;
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    ExecutorService b;
    synchronized (this) {
      b = background;
      background = null;
    }
    if (b != null) {
      b.shutdownNow();
    }
    if (failure != null) {
      throw failure;
    }
  }
}
