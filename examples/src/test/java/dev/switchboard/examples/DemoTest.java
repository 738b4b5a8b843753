package dev.switchboard.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import org.junit.jupiter.api.Test;

class DemoTest {
  final Output out = new Output();
  final Output err = new Output();

  int run(String... args) {
    return Demo.execute(args, out.writer(), err.writer());
  }

  @Test
  void orderEventsOnMemoryPassesItsChecksAndExitsZero() {
    assertThat(run("order-events", "--orders", "4")).isEqualTo(Demo.OK);
    assertThat(out.toString())
        .contains("on the in-memory transport")
        .contains("per-order order kept: yes")
        .contains("order-events: all checks passed");
  }

  @Test
  void unreachableRabbitMqIsOneLineAndExitCodeTwo() throws IOException {
    int port = freePort();

    int code =
        run("--transport", "rabbit", "--uri", "amqp://guest:guest@127.0.0.1:" + port, "tour");

    assertThat(code).isEqualTo(Demo.UNAVAILABLE);
    assertThat(err.toString().lines())
        .containsExactly(
            "cannot reach RabbitMQ at 127.0.0.1:"
                + port
                + " (connection refused): start it with `rabbitmq-server -detached` or pass --uri");
    assertThat(out.toString()).isEmpty();
  }

  @Test
  void unreachableKafkaIsOneLineAndExitCodeTwo() throws IOException {
    int port = freePort();

    int code = run("work-queue", "--transport", "kafka", "--bootstrap", "127.0.0.1:" + port);

    assertThat(code).isEqualTo(Demo.UNAVAILABLE);
    assertThat(err.toString().lines()).hasSize(1);
    assertThat(err.toString())
        .startsWith("cannot reach Kafka at 127.0.0.1:" + port + " (connection refused)")
        .doesNotContain("Exception");
  }

  @Test
  void optionsForAnotherTransportAreRejected() {
    assertThat(run("order-events", "--bootstrap", "127.0.0.1:9092")).isEqualTo(Demo.UNAVAILABLE);
    assertThat(err.toString().trim()).isEqualTo("--bootstrap applies to --transport kafka only");
  }

  @Test
  void invalidRatesAreAUsageError() {
    assertThat(run("work-queue", "--fatal-rate", "1.5")).isEqualTo(2);
    assertThat(err.toString()).contains("fatal rate must be between 0 and 1");
  }

  @Test
  void noExampleNamedIsAUsageError() {
    assertThat(run()).isEqualTo(2);
    assertThat(err.toString()).contains("name an example");
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
