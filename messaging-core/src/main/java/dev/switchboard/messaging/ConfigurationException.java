package dev.switchboard.messaging;

/** A setting, or a combination of settings, that cannot work; the message names them. */
public class ConfigurationException extends FatalMessageException {
  private static final long serialVersionUID = 1L;

  public ConfigurationException(String message) {
    super(message);
  }

  public ConfigurationException(String message, Throwable cause) {
    super(message, cause);
  }
}
