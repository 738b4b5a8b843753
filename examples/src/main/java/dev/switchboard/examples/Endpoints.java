package dev.switchboard.examples;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Optional;

/**
 * A quick TCP check of a broker address before any client library is involved, so that a broker
 * that is not running is reported in one line instead of after a client's own retries.
 */
final class Endpoints {
  private Endpoints() {}

  /** A host and port, as written in a bootstrap list or a URI. */
  record HostPort(String host, int port) {
    @Override
    public String toString() {
      return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }
  }

  /**
   * Parses {@code host:port} (or {@code [v6]:port}).
   *
   * @throws IllegalArgumentException if it has no port or the port is not a number
   */
  static HostPort parse(String hostPort) {
    String s = hostPort.trim();
    int colon = s.lastIndexOf(':');
    if (colon <= 0 || colon == s.length() - 1) {
      throw new IllegalArgumentException("expected HOST:PORT, got '" + hostPort + "'");
    }
    String host = s.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    int port;
    try {
      port = Integer.parseInt(s.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("expected HOST:PORT, got '" + hostPort + "'", e);
    }
    if (port < 1 || port > 65_535) {
      throw new IllegalArgumentException("port must be 1-65535 in '" + hostPort + "'");
    }
    return new HostPort(host, port);
  }

  /** Tries to connect; returns why it failed, in a few words, or empty if it worked. */
  static Optional<String> unreachable(HostPort address, Duration timeout) {
    try (Socket socket = new Socket()) {
      socket.connect(
          new InetSocketAddress(address.host(), address.port()), (int) timeout.toMillis());
      return Optional.empty();
    } catch (UnknownHostException e) {
      return Optional.of("unknown host");
    } catch (ConnectException e) {
      return Optional.of("connection refused");
    } catch (SocketTimeoutException e) {
      return Optional.of("no answer within " + timeout.toMillis() + " ms");
    } catch (NoRouteToHostException e) {
      return Optional.of("no route to host");
    } catch (IOException e) {
      return Optional.of(String.valueOf(e.getMessage()));
    }
  }
}
