package dev.switchboard.examples;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import dev.switchboard.messaging.MessagingException;
import dev.switchboard.messaging.spi.Transport;
import dev.switchboard.rabbit.RabbitTransport;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * RabbitMQ at an AMQP URI; each process opens its own connections. The queues and exchanges the
 * run's transports declare are deleted when the backend closes, so a run leaves nothing behind on a
 * long-lived broker.
 */
final class RabbitBackend implements Backend {
  static final String DEFAULT_URI = "amqp://guest:guest@127.0.0.1:5672";
  private static final Logger LOG = LoggerFactory.getLogger(RabbitBackend.class);

  private final String uri;
  private final Endpoints.HostPort address;
  private final DeclaredTopology declared = new DeclaredTopology();

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
    return declared.watching(
        RabbitTransport.builder().uri(uri).connectionName("switchboard-demo-" + process).build());
  }

  @Override
  public Duration requestTimeout() {
    return Duration.ofSeconds(5);
  }

  @Override
  public Duration patience() {
    return Duration.ofSeconds(30);
  }

  /**
   * Deletes every queue and exchange the run's transports declared, messages in them included. A
   * failure is logged with what is left and how to remove it; it does not fail the run.
   */
  @Override
  public void close() {
    List<String> queues = declared.queues();
    List<String> exchanges = declared.exchanges();
    if (queues.isEmpty() && exchanges.isEmpty()) {
      return;
    }
    try {
      ConnectionFactory factory = new ConnectionFactory();
      factory.setUri(uri);
      try (Connection connection = factory.newConnection("switchboard-demo-cleanup");
          Channel channel = connection.createChannel()) {
        // RabbitMQ deletes a queue or exchange that is already gone without complaint.
        for (String queue : queues) {
          channel.queueDelete(queue);
        }
        for (String exchange : exchanges) {
          channel.exchangeDelete(exchange);
        }
      }
      declared.forget(queues, exchanges);
      LOG.info(
          "deleted the {} queue(s) and {} exchange(s) this run declared on {}",
          queues.size(),
          exchanges.size(),
          address);
    } catch (IOException
        | TimeoutException
        | URISyntaxException
        | GeneralSecurityException
        | RuntimeException e) {
      LOG.warn(
          "could not delete what this run declared on {}; remove whichever of the queues {} and"
              + " exchanges {} are still there with `rabbitmqctl delete_queue NAME` and"
              + " `rabbitmqadmin delete exchange name=NAME`",
          address,
          queues,
          exchanges,
          e);
    }
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
