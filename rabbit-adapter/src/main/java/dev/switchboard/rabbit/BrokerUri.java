package dev.switchboard.rabbit;

import com.rabbitmq.client.ConnectionFactory;
import java.net.URI;

/**
 * A broker URI taken apart: {@code amqp://} or {@code amqps://}, user, password, host, port and
 * virtual host. {@link #toString()} masks the password.
 */
record BrokerUri(
    boolean tls, String host, int port, String virtualHost, String username, String password) {

  private static final String ENCODING_HINT =
      "; a '/', '?', '#', '@' or '%' in the user name or password must be percent-encoded,"
          + " or give host(..) and credentials(..) instead of a URI";

  /**
   * Parses {@code amqp://user:password@host:port/vhost} or {@code amqps://..}; the port defaults to
   * 5672, or 5671 for {@code amqps}.
   *
   * @throws IllegalArgumentException if it is neither; the message shows the URI masked
   */
  static BrokerUri parse(String uri) {
    boolean tls = uri.regionMatches(true, 0, "amqps:", 0, 6);
    ConnectionFactory parsed = new ConnectionFactory();
    URI syntax;
    try {
      syntax = URI.create(uri);
      if (syntax.getHost() == null) {
        throw new IllegalArgumentException("no host");
      }
      // Parsed as amqp:// either way: the library would answer amqps:// by setting up TLS of its
      // own with the JVM's defaults, while the transport sets it up from its RabbitTls settings
      // (trust, protocols, host name check) in one place.
      parsed.setUri(tls ? "amqp" + uri.substring("amqps".length()) : uri);
    } catch (Exception e) {
      // The parser's own message repeats the URI, password included, so it is not kept.
      throw new IllegalArgumentException(
          "invalid broker URI '"
              + RabbitSettings.mask(uri)
              + "': expected amqp://user:password@host:port/vhost or amqps://.."
              + ENCODING_HINT);
    }
    if (atAfterAuthority(uri, syntax)) {
      throw new IllegalArgumentException(
          "invalid broker URI '"
              + RabbitSettings.mask(uri)
              + "': an '@' after the host would make it name another host"
              + ENCODING_HINT);
    }
    int port =
        tls && syntax.getPort() < 0
            ? ConnectionFactory.DEFAULT_AMQP_OVER_SSL_PORT
            : parsed.getPort();
    // The AMQP URI scheme reads a lone "/" as the empty virtual host, which hardly anyone means;
    // it is taken as the default virtual host instead.
    String virtualHost = lonePath(uri) ? "/" : parsed.getVirtualHost();
    return new BrokerUri(
        tls, parsed.getHost(), port, virtualHost, parsed.getUsername(), parsed.getPassword());
  }

  @Override
  public String toString() {
    return (tls ? "amqps://" : "amqp://") + username + ":****@" + host + ":" + port;
  }

  /** Whether an '@' stands in the path, query or fragment: a user part cut short by the parser. */
  private static boolean atAfterAuthority(String uri, URI syntax) {
    String authority = syntax.getRawAuthority();
    int start = uri.indexOf("//");
    if (authority == null || start < 0) {
      return false;
    }
    return uri.indexOf('@', start + 2 + authority.length()) >= 0;
  }

  private static boolean lonePath(String uri) {
    int authority = uri.indexOf("//");
    int path = authority < 0 ? -1 : uri.indexOf('/', authority + 2);
    if (path < 0) {
      return false;
    }
    int end = uri.indexOf('?', path);
    return (end < 0 ? uri.substring(path) : uri.substring(path, end)).equals("/");
  }
}
