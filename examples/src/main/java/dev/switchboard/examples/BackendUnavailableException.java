package dev.switchboard.examples;

/**
 * The chosen broker cannot be used. The message is one line for people: what was tried, why it
 * failed, and how to fix it.
 */
final class BackendUnavailableException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  BackendUnavailableException(String message) {
    super(message);
  }

  BackendUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
