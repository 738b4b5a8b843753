package dev.switchboard.messaging;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The failure envelope: why a message was dead-lettered, written as {@code sb_failure_*} headers
 * identically on every transport. The original key, headers and bytes travel beside it untouched.
 *
 * <p>On each hop the failure headers are replaced, never appended, so a message redriven and
 * failing again carries one failure envelope, not a growing history.
 *
 * @param reason why
 * @param exceptionClass class of the exception the handler threw (or the toolkit raised)
 * @param exceptionMessage its message, at most {@value #MAX_MESSAGE} characters
 * @param rootCauseClass the innermost cause's class, not the wrapper's
 * @param rootCauseMessage the innermost cause's message
 * @param stackTrace the stack trace, at most {@value #MAX_STACK} characters
 * @param attempts how many attempts were made
 * @param firstFailure when the first attempt failed
 * @param lastFailure when the last attempt failed
 * @param originDestination the topic or queue the message was consumed from
 * @param originGroup the group that failed to handle it
 */
public record Failure(
    FailureReason reason,
    String exceptionClass,
    String exceptionMessage,
    String rootCauseClass,
    String rootCauseMessage,
    String stackTrace,
    int attempts,
    Instant firstFailure,
    Instant lastFailure,
    String originDestination,
    String originGroup) {
  public static final String PREFIX = "sb_failure_";
  public static final String REASON = "sb_failure_reason";
  public static final String EXCEPTION = "sb_failure_exception";
  public static final String MESSAGE = "sb_failure_message";
  public static final String ROOT_EXCEPTION = "sb_failure_root_exception";
  public static final String ROOT_MESSAGE = "sb_failure_root_message";
  public static final String STACK_TRACE = "sb_failure_stacktrace";
  public static final String ATTEMPTS = "sb_failure_attempts";
  public static final String FIRST_TIME = "sb_failure_first_time";
  public static final String LAST_TIME = "sb_failure_last_time";
  public static final String ORIGIN = "sb_failure_origin";
  public static final String GROUP = "sb_failure_group";

  static final int MAX_MESSAGE = 1024;
  static final int MAX_STACK = 8192;

  public Failure {
    Objects.requireNonNull(reason, "reason");
    exceptionClass = Objects.requireNonNull(exceptionClass, "exceptionClass");
    exceptionMessage = clip(exceptionMessage, MAX_MESSAGE);
    rootCauseMessage = clip(rootCauseMessage, MAX_MESSAGE);
    stackTrace = clip(stackTrace, MAX_STACK);
    Objects.requireNonNull(firstFailure, "firstFailure");
    Objects.requireNonNull(lastFailure, "lastFailure");
  }

  /** The failure envelope for {@code error}, with its root cause found by following causes. */
  public static Failure of(
      FailureReason reason,
      Throwable error,
      int attempts,
      Instant firstFailure,
      Instant lastFailure,
      String originDestination,
      String originGroup) {
    Throwable top = RetryPolicy.unwrap(error);
    Throwable root = top;
    java.util.Set<Throwable> seen =
        java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
    // Follow causes to the end; a cycle in the chain stops at the last new link.
    while (root.getCause() != null && seen.add(root) && !seen.contains(root.getCause())) {
      root = root.getCause();
    }
    StringWriter trace = new StringWriter(512);
    top.printStackTrace(new PrintWriter(trace));
    return new Failure(
        reason,
        top.getClass().getName(),
        Objects.toString(top.getMessage(), ""),
        root.getClass().getName(),
        Objects.toString(root.getMessage(), ""),
        trace.toString(),
        attempts,
        firstFailure,
        lastFailure,
        originDestination,
        originGroup);
  }

  /** The failure headers, ready to replace any earlier {@code sb_failure_*} headers. */
  public Map<String, String> toHeaders() {
    Map<String, String> h = new LinkedHashMap<>(16);
    h.put(REASON, reason.name());
    h.put(EXCEPTION, exceptionClass);
    h.put(MESSAGE, exceptionMessage);
    h.put(ROOT_EXCEPTION, rootCauseClass);
    h.put(ROOT_MESSAGE, rootCauseMessage);
    h.put(STACK_TRACE, stackTrace);
    h.put(ATTEMPTS, Integer.toString(attempts));
    h.put(FIRST_TIME, firstFailure.toString());
    h.put(LAST_TIME, lastFailure.toString());
    h.put(ORIGIN, originDestination);
    h.put(GROUP, originGroup);
    return h;
  }

  /** Reads a failure envelope back from headers; empty if the reason header is missing. */
  public static Optional<Failure> fromHeaders(Map<String, String> headers) {
    String reason = headers.get(REASON);
    if (reason == null) {
      return Optional.empty();
    }
    FailureReason parsed;
    try {
      parsed = FailureReason.valueOf(reason);
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
    Instant first = instant(headers.get(FIRST_TIME));
    Instant last = instant(headers.get(LAST_TIME));
    return Optional.of(
        new Failure(
            parsed,
            headers.getOrDefault(EXCEPTION, ""),
            headers.getOrDefault(MESSAGE, ""),
            headers.getOrDefault(ROOT_EXCEPTION, ""),
            headers.getOrDefault(ROOT_MESSAGE, ""),
            headers.getOrDefault(STACK_TRACE, ""),
            parseInt(headers.get(ATTEMPTS)),
            first,
            last,
            headers.getOrDefault(ORIGIN, ""),
            headers.getOrDefault(GROUP, "")));
  }

  private static Instant instant(String raw) {
    if (raw == null) {
      return Instant.EPOCH;
    }
    try {
      return Instant.parse(raw);
    } catch (DateTimeParseException e) {
      return Instant.EPOCH;
    }
  }

  private static int parseInt(String raw) {
    try {
      return raw == null ? 0 : Integer.parseInt(raw);
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  private static String clip(String s, int max) {
    Objects.requireNonNull(s);
    return s.length() <= max ? s : s.substring(0, max - 3) + "...";
  }
}
