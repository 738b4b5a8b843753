package dev.switchboard.testkit.ledger;

import static org.awaitility.Awaitility.await;

import dev.switchboard.messaging.ConsumerOptions;
import dev.switchboard.messaging.FatalMessageException;
import dev.switchboard.messaging.MessageContext;
import dev.switchboard.messaging.MessageHandler;
import dev.switchboard.messaging.Messaging;
import dev.switchboard.messaging.RetryPolicy;
import dev.switchboard.messaging.RetryableException;
import dev.switchboard.messaging.spi.Transport;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The body of a ledger consumer process. A transport's test sources supply a {@code main} that
 * calls {@link #run} with a way to build its transport from the plan's settings; everything else
 * (handling, recording, the stall, the end of the run) is here. Every dead-letter publish that the
 * transport fails is written down as a {@link FailedDeadLetter} in the run directory.
 *
 * <p>The child handles until the parent creates the stop file, or its parent process is gone, or
 * {@link #MAX_LIFE} has passed, whichever comes first; then it drains and exits. The parent may
 * kill it at any moment instead.
 */
public final class LedgerChild {
  /** The longest a child runs, so that no process outlives a broken test for long. */
  public static final Duration MAX_LIFE = Duration.ofMinutes(15);

  /** Retry settings of every child: short delays so a run finishes quickly. */
  public static final RetryPolicy RETRY =
      RetryPolicy.builder()
          .maxAttempts(5)
          .inProcessAttempts(2)
          .initialDelay(Duration.ofMillis(50))
          .maxDelay(Duration.ofMillis(400))
          .fatalOn(FatalMessageException.class)
          .build();

  static final String READY_PREFIX = "ready-";
  static final String STOP = "stop";
  static final String STALL_BEGIN = "stall-begin";
  static final String STALL_END = "stall-end";

  private static final Logger LOG = LoggerFactory.getLogger(LedgerChild.class);

  private final Path runDirectory;
  private final LedgerPlan plan;
  private final LedgerFile ledger;
  private final long pid = ProcessHandle.current().pid();
  private final Optional<String> stallId;

  private LedgerChild(Path runDirectory, LedgerPlan plan) {
    this.runDirectory = runDirectory;
    this.plan = plan;
    this.ledger = LedgerFile.open(runDirectory, pid);
    this.stallId = plan.stallId();
  }

  /**
   * Runs a child: {@code args[0]} is the run directory. Exits the JVM when done.
   *
   * @param transports builds the transport from the plan (its {@link LedgerPlan#transport()})
   */
  public static void run(String[] args, Function<LedgerPlan, Transport> transports) {
    if (args.length != 1) {
      throw new IllegalArgumentException("usage: <main class> <run directory>");
    }
    Path dir = Path.of(args[0]);
    LedgerPlan plan = LedgerPlan.load(dir);
    new LedgerChild(dir, plan).handleUntilStopped(transports.apply(plan));
    System.exit(0);
  }

  private void handleUntilStopped(Transport transport) {
    Messaging messaging =
        Messaging.builder()
            .transport(new ObservedTransport(transport, runDirectory, pid))
            .register(LedgerJob.TYPE, LedgerJob.class)
            .source("ledger-child-" + pid)
            .build();
    ConsumerOptions options =
        ConsumerOptions.builder().concurrency(plan.concurrency()).retry(RETRY).build();
    MessageHandler<LedgerJob> handler = this::handle;
    if (plan.mode() == LedgerPlan.Mode.PUB_SUB) {
      messaging.subscribe(plan.destination(), plan.group(), LedgerJob.class, handler, options);
    } else {
      messaging.consume(plan.destination(), LedgerJob.class, handler, options);
    }
    touch(READY_PREFIX + pid, "");
    LOG.info("ledger child {} consuming {} as {}", pid, plan.destination(), plan.group());
    Optional<ProcessHandle> parent = ProcessHandle.current().parent();
    await("the stop file or the end of the parent")
        .atMost(MAX_LIFE)
        .pollInterval(Duration.ofMillis(200))
        .until(
            () ->
                Files.exists(runDirectory.resolve(STOP))
                    || parent.map(p -> !p.isAlive()).orElse(true));
    messaging.drain(Duration.ofSeconds(10));
    ledger.close();
    LOG.info("ledger child {} drained and stops", pid);
  }

  private void handle(LedgerJob job, MessageContext context) {
    long start = ChronoUnit.MICROS.between(Instant.EPOCH, Instant.now());
    String id = context.envelope().id();
    int attempt = context.attempt();
    if (!id.equals(job.id())) {
      throw new FatalMessageException("envelope id " + id + " differs from the job id " + job.id());
    }
    if (LedgerPlan.isFatal(id)) {
      ledger.append(new Handling(id, attempt, pid, Handling.Outcome.FATAL, start));
      throw new FatalMessageException("ledger message " + id + " is fatal by plan");
    }
    if (LedgerPlan.failsTransiently(id, attempt)) {
      ledger.append(new Handling(id, attempt, pid, Handling.Outcome.RETRY, start));
      throw new RetryableException("ledger message " + id + " fails attempt " + attempt);
    }
    if (stallId.isPresent() && stallId.get().equals(id) && touch(STALL_BEGIN, pid + "\n")) {
      LOG.info("ledger child {} stalls on {} for {}", pid, id, plan.stall());
      stall(plan.stall());
      touch(STALL_END, pid + "\n");
    }
    ledger.append(new Handling(id, attempt, pid, Handling.Outcome.OK, start));
  }

  /** Holds the handler thread, as a handler stuck on a slow downstream call does. */
  private static void stall(Duration howLong) {
    try {
      // Nothing counts the latch down: the wait always runs its full length.
      new CountDownLatch(1).await(howLong.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Creates a marker file; false when it exists already (another child made it first). */
  private boolean touch(String name, String content) {
    try {
      Path tmp = Files.createTempFile(runDirectory, name, ".tmp");
      Files.writeString(tmp, content, StandardCharsets.UTF_8);
      try {
        Files.createLink(runDirectory.resolve(name), tmp);
        return true;
      } catch (FileAlreadyExistsException e) {
        return false;
      } finally {
        Files.delete(tmp);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + name + " in " + runDirectory, e);
    }
  }
}
