package dev.switchboard.examples;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/**
 * The examples' command line: {@code order-events}, {@code work-queue}, {@code request-reply} and
 * {@code tour}, on {@code --transport memory|kafka|rabbit}.
 *
 * <p>Exit codes: 0 when the example ran and its own checks passed, 1 when a check failed (a lost
 * job, an unmatched reply, an order out of order), 2 when the broker could not be reached or the
 * command line was wrong.
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    version = "Switchboard examples 0.1.0",
    description = "Runs the Switchboard examples and checks that they did what they claim.",
    subcommands = {
      Demo.OrderEvents.class,
      Demo.WorkQueue.class,
      Demo.RequestReply.class,
      Demo.Tour.class
    })
public final class Demo implements Runnable {
  static final int OK = 0;
  static final int CHECK_FAILED = 1;
  static final int UNAVAILABLE = 2;

  @Spec CommandSpec spec;

  @Mixin Common common = new Common();

  private Demo() {}

  public static void main(String[] args) {
    System.exit(
        execute(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
  }

  /** Runs the command line, printing to {@code out} and {@code err}; returns the exit code. */
  static int execute(String[] args, PrintWriter out, PrintWriter err) {
    CommandLine cli = new CommandLine(new Demo());
    cli.setCaseInsensitiveEnumValuesAllowed(true);
    cli.setOut(out);
    cli.setErr(err);
    return cli.execute(args);
  }

  @Override
  public void run() {
    throw new CommandLine.ParameterException(
        spec.commandLine(), "name an example: order-events, work-queue, request-reply or tour");
  }

  /** The transports the examples run on. */
  enum TransportKind {
    MEMORY,
    KAFKA,
    RABBIT;

    @Override
    public String toString() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** Options every example takes, before or after its name. */
  static final class Common {
    @Option(
        names = "--transport",
        defaultValue = "memory",
        scope = ScopeType.INHERIT,
        description = "memory, kafka or rabbit (default: ${DEFAULT-VALUE})")
    TransportKind transport = TransportKind.MEMORY;

    @Option(
        names = "--bootstrap",
        scope = ScopeType.INHERIT,
        paramLabel = "HOST:PORT",
        description =
            "Kafka bootstrap servers; without it a local broker from the testkit is started")
    @Nullable String bootstrap;

    @Option(
        names = "--uri",
        scope = ScopeType.INHERIT,
        paramLabel = "AMQP-URI",
        description = "RabbitMQ URI (default: amqp://guest:guest@127.0.0.1:5672)")
    @Nullable String uri;

    @Option(
        names = "--verbose",
        scope = ScopeType.INHERIT,
        description = "log the toolkit and the broker clients at INFO")
    boolean verbose;
  }

  /** Opens the backend, runs {@code body}, turns the outcome into an exit code. */
  abstract static class ExampleCommand implements Callable<Integer> {
    @ParentCommand Demo demo;
    @Spec CommandSpec spec;

    @Override
    public final Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      PrintWriter err = spec.commandLine().getErr();
      Common common = demo.common;
      if (common.verbose) {
        LogLevels.verbose();
      }
      long start = System.nanoTime();
      Backend backend;
      try {
        backend = Backends.open(common, out);
      } catch (BackendUnavailableException e) {
        err.println(e.getMessage());
        return UNAVAILABLE;
      }
      RunNames names = RunNames.random();
      try (backend) {
        out.printf("run %s on %s%n", names.suffix(), backend.description());
        List<String> failed = run(backend, names, out);
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        if (failed.isEmpty()) {
          out.printf("%s: all checks passed in %.1f s%n", name(), took.toMillis() / 1000.0);
          return OK;
        }
        out.printf("%s: FAILED: %s%n", name(), String.join("; ", failed));
        return CHECK_FAILED;
      } catch (BackendUnavailableException e) {
        err.println(e.getMessage());
        return UNAVAILABLE;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        err.println(name() + ": interrupted");
        return CHECK_FAILED;
      } finally {
        out.flush();
      }
    }

    String name() {
      return spec.name();
    }

    /** Runs the example; returns the checks that failed, empty on success. */
    abstract List<String> run(Backend backend, RunNames names, PrintWriter out)
        throws InterruptedException;
  }

  @Command(
      name = "order-events",
      mixinStandardHelpOptions = true,
      description = "Publish-subscribe: billing and shipping follow every order, in order.")
  static final class OrderEvents extends ExampleCommand {
    @Option(
        names = "--orders",
        defaultValue = "10",
        description = "orders to place (default: ${DEFAULT-VALUE})")
    int orders = 10;

    @Override
    List<String> run(Backend backend, RunNames names, PrintWriter out) throws InterruptedException {
      return Checks.of(new OrderEventsExample(backend, names, out, orders, 42).run());
    }
  }

  @Command(
      name = "work-queue",
      mixinStandardHelpOptions = true,
      description = "Competing workers with retries, dead letters and a redrive.")
  static final class WorkQueue extends ExampleCommand {
    @Option(
        names = "--jobs",
        defaultValue = "2000",
        description = "jobs to enqueue (default: ${DEFAULT-VALUE})")
    int jobs;

    @Option(
        names = "--workers",
        defaultValue = "4",
        description = "competing workers (default: ${DEFAULT-VALUE})")
    int workers;

    @Option(
        names = "--transient-failure-rate",
        defaultValue = "0.10",
        description = "share of jobs that fail 1-3 times, then succeed (default: ${DEFAULT-VALUE})")
    double transientFailureRate;

    @Option(
        names = "--fatal-rate",
        defaultValue = "0.01",
        description =
            "share of jobs that fail until the fault is fixed (default: ${DEFAULT-VALUE})")
    double fatalRate;

    @Option(
        names = "--seed",
        defaultValue = "7",
        description = "picks the failing jobs (default: ${DEFAULT-VALUE})")
    long seed;

    @Override
    List<String> run(Backend backend, RunNames names, PrintWriter out) throws InterruptedException {
      WorkQueueExample.Settings defaults = WorkQueueExample.Settings.defaults();
      WorkQueueExample.Settings settings;
      try {
        settings =
            new WorkQueueExample.Settings(
                jobs,
                workers,
                transientFailureRate,
                fatalRate,
                defaults.work(),
                defaults.retry(),
                System.console() != null,
                seed);
      } catch (IllegalArgumentException e) {
        throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
      }
      return Checks.of(new WorkQueueExample(backend, names, out, settings).run());
    }
  }

  @Command(
      name = "request-reply",
      mixinStandardHelpOptions = true,
      description = "A pricing client and a quote service: timeouts, errors, a breaker, deadlines.")
  static final class RequestReply extends ExampleCommand {
    @Override
    List<String> run(Backend backend, RunNames names, PrintWriter out) throws InterruptedException {
      return Checks.of(
          new RequestReplyExample(
                  backend, names, out, RequestReplyExample.Settings.defaults(backend))
              .run());
    }
  }

  @Command(
      name = "tour",
      mixinStandardHelpOptions = true,
      description = "Runs order-events, work-queue and request-reply one after the other.")
  static final class Tour extends ExampleCommand {
    @Override
    List<String> run(Backend backend, RunNames names, PrintWriter out) throws InterruptedException {
      List<String> failed = new ArrayList<>();
      out.println();
      out.println("== 1/3 order-events: publish-subscribe ==");
      failed.addAll(Checks.of(new OrderEventsExample(backend, names, out, 10, 42).run()));
      out.println();
      out.println("== 2/3 work-queue: competing workers, retries, dead letters ==");
      WorkQueueExample.Settings d = WorkQueueExample.Settings.defaults();
      WorkQueueExample.Settings settings =
          new WorkQueueExample.Settings(
              d.jobs(),
              d.workers(),
              d.transientFailureRate(),
              d.fatalRate(),
              d.work(),
              d.retry(),
              System.console() != null,
              d.seed());
      failed.addAll(Checks.of(new WorkQueueExample(backend, names, out, settings).run()));
      out.println();
      out.println("== 3/3 request-reply: correlation, timeouts, errors, deadlines ==");
      failed.addAll(
          Checks.of(
              new RequestReplyExample(
                      backend, names, out, RequestReplyExample.Settings.defaults(backend))
                  .run()));
      out.println();
      return failed;
    }
  }
}
