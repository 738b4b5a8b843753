package dev.switchboard.rabbit;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.Recoverable;
import com.rabbitmq.client.RecoveryListener;
import com.rabbitmq.client.ShutdownSignalException;
import com.rabbitmq.client.SocketConfigurators;
import dev.switchboard.messaging.TransportException;
import java.io.IOException;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The two broker connections of one transport and the threads around them.
 *
 * <p>Design: publishing and consuming use separate connections, because the broker throttles a
 * publishing connection under memory or disk pressure and that must not delay acknowledgements. The
 * client library recovers each connection by itself (every {@code recoveryInterval}); its topology
 * recovery is off, because the transport re-declares what it declared and reopens its own channels
 * from the {@link #onRecovery} hooks, in a known order (queues before consumers, the reply consumer
 * before the first request).
 *
 * <p>Threads: each connection has the client's I/O thread, which runs confirm, return and shutdown
 * listeners; those never block and never take a lock that is held across a broker round trip.
 * {@code dispatch} (cached, grows with the number of consumer channels) runs consumer callbacks,
 * which may block for as long as a handler runs. {@code callbacks} (cached) completes futures
 * handed to callers and runs recovery work, so no caller code ever runs on an I/O thread. {@code
 * timer} (one thread) runs confirm-timeout sweeps and delayed resubscribes.
 */
final class RabbitConnections {
  private static final Logger LOG = LoggerFactory.getLogger(RabbitConnections.class);

  /** Which connection a channel belongs to. */
  enum Role {
    PUBLISH,
    CONSUME
  }

  private final RabbitSettings settings;
  private final ExecutorService dispatch;
  private final ExecutorService callbacks;
  private final ScheduledExecutorService timer;
  private final Map<Role, Connection> connections = new EnumMap<>(Role.class);
  private final Map<Role, List<Runnable>> recoveryHooks = new EnumMap<>(Role.class);
  private volatile @Nullable String blockedReason;

  private RabbitConnections(RabbitSettings settings) {
    this.settings = settings;
    String prefix = "switchboard-rabbit-" + settings.connectionName();
    this.dispatch = Executors.newCachedThreadPool(threads(prefix + "-dispatch-"));
    this.callbacks = Executors.newCachedThreadPool(threads(prefix + "-callback-"));
    this.timer = Executors.newSingleThreadScheduledExecutor(threads(prefix + "-timer-"));
    for (Role role : Role.values()) {
      recoveryHooks.put(role, new CopyOnWriteArrayList<>());
    }
  }

  /**
   * Opens both connections.
   *
   * @throws RabbitAuthenticationException if the broker refuses the login or the TLS handshake
   *     fails
   * @throws TransportException if the broker cannot be reached
   * @throws dev.switchboard.messaging.ConfigurationException if the trust store cannot be read
   */
  static RabbitConnections open(RabbitSettings settings) {
    ConnectionFactory factory = factory(settings);
    RabbitConnections c = new RabbitConnections(settings);
    try {
      for (Role role : Role.values()) {
        String name =
            settings.connectionName() + "-" + role.name().toLowerCase(java.util.Locale.ROOT);
        Connection connection = factory.newConnection(c.dispatch, name);
        c.connections.put(role, connection);
        c.watch(role, connection);
      }
      return c;
    } catch (IOException | TimeoutException | RuntimeException e) {
      c.close(Duration.ofSeconds(1));
      RabbitAuthenticationException refused = RabbitAuthenticationException.of(settings, e);
      if (refused != null) {
        throw refused;
      }
      throw new TransportException(
          "cannot connect to RabbitMQ at "
              + settings.brokerUri()
              + ": "
              + e
              + "; check that the broker runs there and that the port is its "
              + (settings.tls() != null ? "TLS (amqps)" : "plain (amqp)")
              + " listener",
          e);
    }
  }

  /** The client library's factory for these settings; package-private for tests. */
  static ConnectionFactory factory(RabbitSettings s) {
    ConnectionFactory f = new ConnectionFactory();
    f.setHost(s.host());
    f.setPort(s.port());
    f.setVirtualHost(s.virtualHost());
    f.setUsername(s.username());
    f.setPassword(s.password());
    f.setAutomaticRecoveryEnabled(true);
    f.setTopologyRecoveryEnabled(false);
    f.setNetworkRecoveryInterval(s.recoveryInterval().toMillis());
    f.setRequestedHeartbeat(20);
    f.setConnectionTimeout(10_000);
    f.setChannelRpcTimeout(30_000);
    RabbitTls tls = s.tls();
    if (tls != null) {
      // The context is set directly, not through an amqps URI or useSslProtocol() without
      // arguments, which would take the JVM's defaults. useSslProtocol(context) also turns on the
      // library's host name check; the socket configurator set next replaces it, so the check
      // is on exactly when the settings ask for it (below).
      f.useSslProtocol(tls.context());
      f.setSocketConfigurator(
          SocketConfigurators.defaultConfigurator().andThen(RabbitTls::restrictProtocols));
      if (tls.verifiesHostname()) {
        f.enableHostnameVerification();
      }
    }
    return f;
  }

  private void watch(Role role, Connection connection) {
    String name = connection.getClientProvidedName();
    connection.addShutdownListener(
        cause -> {
          if (!cause.isInitiatedByApplication()) {
            LOG.warn(
                "connection '{}' to {} lost ({}); reconnecting every {}; sends fail until then",
                name,
                settings.brokerUri(),
                describe(cause),
                settings.recoveryInterval(),
                cause);
          }
        });
    if (role == Role.PUBLISH) {
      connection.addBlockedListener(
          reason -> {
            blockedReason = reason;
            LOG.warn(
                "broker {} is blocking publishers on '{}' ({}); sends fail until it unblocks;"
                    + " free memory or disk on the broker",
                settings.brokerUri(),
                name,
                reason);
          },
          () -> {
            blockedReason = null;
            LOG.info("broker {} unblocked publishers on '{}'", settings.brokerUri(), name);
          });
    }
    ((Recoverable) connection)
        .addRecoveryListener(
            new RecoveryListener() {
              @Override
              public void handleRecovery(Recoverable recoverable) {
                LOG.info("connection '{}' to {} recovered", name, settings.brokerUri());
                callbacks.execute(() -> runHooks(role));
              }

              @Override
              public void handleRecoveryStarted(Recoverable recoverable) {}
            });
  }

  private void runHooks(Role role) {
    for (Runnable hook : recoveryHooks.get(role)) {
      try {
        hook.run();
      } catch (RuntimeException e) {
        LOG.error(
            "re-establishing state after the '{}' connection recovered failed; affected consumers"
                + " retry every {}",
            role,
            settings.recoveryInterval(),
            e);
      }
    }
  }

  /** Runs {@code hook} on a callback thread each time the connection of {@code role} recovers. */
  void onRecovery(Role role, Runnable hook) {
    recoveryHooks.get(role).add(hook);
  }

  /**
   * Opens a channel. Fails with an {@link IOException} (or the client's unchecked {@code
   * AlreadyClosedException}) while the connection is down.
   */
  Channel openChannel(Role role) throws IOException {
    Channel channel = connections.get(role).createChannel();
    if (channel == null) {
      throw new IOException("the broker's channel limit for one connection is reached");
    }
    return channel;
  }

  boolean isOpen(Role role) {
    Connection c = connections.get(role);
    return c != null && c.isOpen();
  }

  /** Why the broker blocks publishers (a resource alarm), or null while it does not. */
  @Nullable String blockedReason() {
    return blockedReason;
  }

  ExecutorService callbacks() {
    return callbacks;
  }

  ScheduledExecutorService timer() {
    return timer;
  }

  RabbitSettings settings() {
    return settings;
  }

  void close(Duration timeout) {
    int millis = (int) Math.max(1, Math.min(Integer.MAX_VALUE, timeout.toMillis()));
    for (Connection connection : connections.values()) {
      try {
        connection.close(millis);
      } catch (IOException | RuntimeException e) {
        LOG.debug("closing connection '{}' failed", connection.getClientProvidedName(), e);
        connection.abort(millis);
      }
    }
    timer.shutdownNow();
    callbacks.shutdown();
    dispatch.shutdown();
    try {
      callbacks.awaitTermination(Math.min(millis, 1000), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** A short description of why a connection or channel closed. */
  static String describe(ShutdownSignalException cause) {
    Object reason = cause.getReason();
    if (reason instanceof com.rabbitmq.client.AMQP.Connection.Close close) {
      return close.getReplyCode() + " " + close.getReplyText();
    }
    if (reason instanceof com.rabbitmq.client.AMQP.Channel.Close close) {
      return close.getReplyCode() + " " + close.getReplyText();
    }
    Throwable root = cause.getCause();
    return root != null ? root.toString() : String.valueOf(cause.getMessage());
  }

  private static ThreadFactory threads(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }
}
