package dev.switchboard.messaging;

/** Why a message was dead-lettered; written as the {@code sb_failure_reason} header. */
public enum FailureReason {
  /** The handler threw: a fatal failure, or a retryable one that ran out of attempts or time. */
  EXCEPTION,
  /** The payload could not be decoded, or its type is unknown or does not fit the handler. */
  DECODE,
  /** The message's deadline had passed. */
  EXPIRED,
  /** The message's headers were unreadable (a garbled attempt or deadline, invalid UTF-8). */
  REJECTED,
  /**
   * The broker delivered it more often than the retry policy allows (for example after crashes).
   */
  DELIVERY_LIMIT,
  /**
   * The message carried more headers, or more bytes of headers, than the consumer's {@code
   * maxHeaders} or {@code maxHeaderBytes} allow; it was not handled.
   */
  HEADER_LIMIT
}
