package dev.switchboard.rabbit;

import dev.switchboard.messaging.ConfigurationException;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import org.jspecify.annotations.Nullable;

/**
 * How a {@link RabbitTransport} encrypts its connections and checks the broker it reaches. Given to
 * {@link RabbitTransport.Builder#tls(RabbitTls)}; an {@code amqps://} URI without it means this
 * class's defaults.
 *
 * <pre>{@code
 * RabbitTls tls =
 *     RabbitTls.builder()
 *         .trustStore(RabbitTls.StoreType.PKCS12, Path.of("truststore.p12"), trustStorePassword)
 *         .build();
 * Transport rabbit =
 *     RabbitTransport.builder()
 *         .host("rabbit.internal")
 *         .credentials("billing", password)
 *         .tls(tls)
 *         .build();
 * }</pre>
 *
 * <p>The broker's certificate is checked against the trust store given, or a caller's {@link
 * SSLContext}, or else the JVM's default trust ({@code cacerts}, or the {@code
 * javax.net.ssl.trustStore} system property). Host name verification is on unless {@link
 * Builder#skipHostnameVerification()} turns it off: the certificate must name the host the
 * transport connects to in its subject alternative names (an IP address, such as {@code 127.0.0.1},
 * needs an IP entry). Only TLS 1.3 and TLS 1.2 are offered, and of those only the ones the context
 * enables. The client sends no certificate of its own unless a caller's {@code SSLContext} holds
 * one (mutual TLS).
 *
 * <p>The trust store is read when a transport is built, and its password is copied when given and
 * kept as {@code char[]}; the caller may wipe its own array afterwards. {@link #toString()} shows
 * where trust comes from and whether host names are verified, never a password. Immutable and
 * thread-safe.
 */
public final class RabbitTls {
  /** The protocol versions the transport offers, newest first. */
  static final List<String> PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");

  /** The format of a trust store file. */
  public enum StoreType {
    /** PKCS #12, the JDK's default key store format. */
    PKCS12,
    /** The JDK's older proprietary format. */
    JKS
  }

  private final @Nullable TrustStore trustStore;
  private final @Nullable SSLContext sslContext;
  private final boolean verifyHostname;

  private RabbitTls(
      @Nullable TrustStore trustStore, @Nullable SSLContext sslContext, boolean verifyHostname) {
    this.trustStore = trustStore;
    this.sslContext = sslContext;
    this.verifyHostname = verifyHostname;
  }

  /** Starts a builder; with no setting at all it yields the JVM's default trust. */
  public static Builder builder() {
    return new Builder();
  }

  /** Whether the broker's certificate must name the host connected to; true unless skipped. */
  public boolean verifiesHostname() {
    return verifyHostname;
  }

  /**
   * The context every connection's sockets come from: the caller's, or a new one trusting the trust
   * store (or the JVM's default trust).
   *
   * @throws ConfigurationException if the trust store cannot be read, for instance because its
   *     password or type is wrong
   */
  SSLContext context() {
    if (sslContext != null) {
      return sslContext;
    }
    try {
      TrustManager @Nullable [] managers = trustStore == null ? null : trustStore.managers();
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, managers, null);
      return context;
    } catch (IOException | GeneralSecurityException e) {
      throw new ConfigurationException(
          "cannot read the trust store "
              + (trustStore == null ? "of the JVM" : trustStore.path + " (" + trustStore.type + ")")
              + ": "
              + e.getMessage()
              + "; check the file, its type and its password",
          e);
    }
  }

  /**
   * Limits a TLS socket to {@link #PROTOCOLS}, among those its context enables, before it connects.
   *
   * @throws SSLException if the context enables neither
   */
  static void restrictProtocols(Socket socket) throws SSLException {
    if (!(socket instanceof SSLSocket tls)) {
      return;
    }
    List<String> enabled = Arrays.asList(tls.getEnabledProtocols());
    String[] offered = PROTOCOLS.stream().filter(enabled::contains).toArray(String[]::new);
    if (offered.length == 0) {
      throw new SSLException(
          "the TLS context enables "
              + enabled
              + ", none of "
              + PROTOCOLS
              + "; give an SSLContext that allows TLS 1.2 or 1.3");
    }
    tls.setEnabledProtocols(offered);
  }

  /** Shows where trust comes from and whether host names are verified; passwords are masked. */
  @Override
  public String toString() {
    StringBuilder b = new StringBuilder("RabbitTls{");
    if (sslContext != null) {
      b.append("caller's SSLContext (").append(sslContext.getProtocol()).append(')');
    } else if (trustStore != null) {
      b.append("trust store ").append(trustStore.path).append(" (").append(trustStore.type);
      b.append(", password ****)");
    } else {
      b.append("JVM default trust");
    }
    b.append(verifyHostname ? ", host name verified" : ", host name NOT verified");
    return b.append('}').toString();
  }

  private record TrustStore(StoreType type, Path path, char[] password) {
    TrustManager[] managers() throws IOException, GeneralSecurityException {
      KeyStore store = KeyStore.getInstance(type.name());
      try (InputStream in = Files.newInputStream(path)) {
        store.load(in, password);
      }
      TrustManagerFactory factory =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      factory.init(store);
      return factory.getTrustManagers();
    }

    @Override
    public String toString() {
      return "TrustStore{" + type + ", " + path + ", password ****}";
    }
  }

  /**
   * Configures a {@link RabbitTls}. Each setting may be given once, and a trust store and an {@code
   * SSLContext} exclude each other; a second or conflicting call is rejected. Not thread-safe.
   */
  public static final class Builder {
    private @Nullable TrustStore trustStore;
    private @Nullable SSLContext sslContext;
    private boolean verifyHostname = true;

    private Builder() {}

    /**
     * The trust store holding the broker's certificate or the CA that signed it. The file must
     * exist; it is read each time a transport is built, so a wrong password or type fails {@link
     * RabbitTransport.Builder#build()} with a {@code ConfigurationException}.
     */
    public Builder trustStore(StoreType type, Path path, char[] password) {
      Objects.requireNonNull(type, "type");
      Objects.requireNonNull(path, "path");
      Objects.requireNonNull(password, "password");
      if (trustStore != null) {
        throw new IllegalStateException(
            "trustStore(..) was already set to " + trustStore.path + "; not setting " + path);
      }
      if (sslContext != null) {
        throw new IllegalStateException(
            "trustStore("
                + path
                + ") conflicts with sslContext(..) given earlier; the context already decides"
                + " what is trusted");
      }
      if (!Files.isRegularFile(path) || !Files.isReadable(path)) {
        throw new IllegalArgumentException("trust store " + path + " is not a readable file");
      }
      trustStore = new TrustStore(type, path.toAbsolutePath(), password.clone());
      return this;
    }

    /**
     * An initialised context of the caller's, for what a trust store file cannot say: a client
     * certificate (mutual TLS), trust managers of its own, a security provider. The transport still
     * offers only TLS 1.3 and 1.2 and verifies host names unless told otherwise.
     */
    public Builder sslContext(SSLContext context) {
      Objects.requireNonNull(context, "context");
      if (sslContext != null) {
        throw new IllegalStateException("sslContext(..) was already set; it cannot be set again");
      }
      if (trustStore != null) {
        throw new IllegalStateException(
            "sslContext(..) conflicts with trustStore("
                + trustStore.path
                + ") given earlier; give one or the other");
      }
      sslContext = context;
      return this;
    }

    /**
     * Accepts a trusted certificate that does not name the host connected to, as when the broker is
     * reached through an address its certificate does not list. Anyone holding a certificate the
     * trust accepts can then pose as the broker; the transport logs a warning when it starts.
     */
    public Builder skipHostnameVerification() {
      if (!verifyHostname) {
        throw new IllegalStateException("skipHostnameVerification() was already called");
      }
      verifyHostname = false;
      return this;
    }

    /** Returns the settings given so far; the builder may go on to build others. */
    public RabbitTls build() {
      return new RabbitTls(trustStore, sslContext, verifyHostname);
    }
  }
}
