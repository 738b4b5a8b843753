package dev.switchboard.examples;

import dev.switchboard.messaging.MessagingException;
import dev.switchboard.messaging.spi.Transport;
import dev.switchboard.rabbit.RabbitTransport;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Optional;

/** RabbitMQ at an AMQP URI; each process opens its own connections. */
final class RabbitBackend implements Backend {
  static final String DEFAULT_URI = "amqp://guest:guest@127.0.0.1:5672";

  private final String uri;
  private final Endpoints.HostPort address;

  private RabbitBackend(String uri, Endpoints.HostPort address) {
    this.uri = uri;
    this.address = address;
  }

  /**
   * Checks that the broker answers and accepts the credentials.
   *
   * @throws BackendUnavailableException if it does not; the message never shows the password
   */
  static RabbitBackend open(String uri) {
    Endpoints.HostPort address = address(uri);
    Optional<String> problem = Endpoints.unreachable(address, Duration.ofSeconds(3));
    if (problem.isPresent()) {
      throw new BackendUnavailableException(
          "cannot reach RabbitMQ at "
              + address
              + " ("
              + problem.get()
              + "): start it with `rabbitmq-server -detached` or pass --uri");
    }
    RabbitBackend backend = new RabbitBackend(uri, address);
    try {
      backend.connect("check").close();
    } catch (MessagingException | IllegalArgumentException e) {
      String why =
          String.valueOf(e.getMessage()).contains("ACCESS_REFUSED")
              ? "login refused"
              : String.valueOf(e.getMessage());
      throw new BackendUnavailableException(
          "RabbitMQ at "
              + address
              + " did not let the demo in ("
              + why
              + "): check the user, password and virtual host in --uri",
          e);
    }
    return backend;
  }

  @Override
  public String description() {
    return "RabbitMQ at " + address;
  }

  @Override
  public Transport connect(String process) {
    return RabbitTransport.builder().uri(uri).connectionName("switchboard-demo-" + process).build();
  }

  @Override
  public Duration requestTimeout() {
    return Duration.ofSeconds(5);
  }

  @Override
  public Duration patience() {
    return Duration.ofSeconds(30);
  }

  @Override
  public void close() {
    // Each process's transport closed with its Messaging; nothing else was opened.
  }

  private static Endpoints.HostPort address(String uri) {
    URI parsed;
    try {
      parsed = new URI(uri);
    } catch (URISyntaxException e) {
      throw new BackendUnavailableException(
          "invalid --uri: expected amqp://user:password@host:port/vhost");
    }
    if (!"amqp".equalsIgnoreCase(parsed.getScheme()) || parsed.getHost() == null) {
      throw new BackendUnavailableException(
          "invalid --uri: expected amqp://user:password@host:port/vhost");
    }
    return new Endpoints.HostPort(parsed.getHost(), parsed.getPort() > 0 ? parsed.getPort() : 5672);
  }
}
