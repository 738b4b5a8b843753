package dev.switchboard.examples;

import java.io.PrintWriter;

/** Opens the backend the command line asks for. */
final class Backends {
  private Backends() {}

  /**
   * @throws BackendUnavailableException if the broker cannot be used, with a one-line reason
   */
  static Backend open(Demo.Common options, PrintWriter out) {
    if (options.transport != Demo.TransportKind.KAFKA && options.bootstrap != null) {
      throw new BackendUnavailableException("--bootstrap applies to --transport kafka only");
    }
    if (options.transport != Demo.TransportKind.RABBIT && options.uri != null) {
      throw new BackendUnavailableException("--uri applies to --transport rabbit only");
    }
    return switch (options.transport) {
      case MEMORY -> new MemoryBackend();
      case KAFKA -> KafkaBackend.open(options.bootstrap, out);
      case RABBIT ->
          RabbitBackend.open(options.uri != null ? options.uri : RabbitBackend.DEFAULT_URI);
    };
  }
}
