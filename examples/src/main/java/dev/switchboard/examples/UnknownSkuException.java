package dev.switchboard.examples;

/**
 * The quote service does not sell the SKU asked for. Thrown in the service's handler, it reaches
 * the client as a {@code RemoteErrorException} carrying this class's name and the message.
 */
final class UnknownSkuException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  UnknownSkuException(String message) {
    super(message);
  }
}
