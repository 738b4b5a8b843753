package dev.switchboard.testkit.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Free ports and connection probes on 127.0.0.1, the only address the fixtures use. */
public final class LoopbackPorts {
  public static final InetAddress LOOPBACK = loopback();

  private LoopbackPorts() {}

  /**
   * Returns {@code count} distinct ports that were free a moment ago. Another process may still
   * take one before the server binds it; the server then fails to start and says so in its log.
   */
  public static int[] free(int count) {
    List<ServerSocket> held = new ArrayList<>();
    try {
      int[] ports = new int[count];
      for (int i = 0; i < count; i++) {
        ServerSocket socket = new ServerSocket();
        held.add(socket);
        socket.bind(new InetSocketAddress(LOOPBACK, 0));
        ports[i] = socket.getLocalPort();
      }
      return ports;
    } catch (IOException e) {
      throw new UncheckedIOException("no free port on 127.0.0.1", e);
    } finally {
      for (ServerSocket socket : held) {
        try {
          socket.close();
        } catch (IOException ignored) {
          // The port was only held to keep it distinct from the others.
        }
      }
    }
  }

  /** Whether something accepts TCP connections on the port. */
  public static boolean accepts(int port, Duration timeout) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(LOOPBACK, port), (int) timeout.toMillis());
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static InetAddress loopback() {
    try {
      return InetAddress.getByAddress("localhost", new byte[] {127, 0, 0, 1});
    } catch (UnknownHostException e) {
      throw new AssertionError("a literal IPv4 address is always valid", e);
    }
  }
}
