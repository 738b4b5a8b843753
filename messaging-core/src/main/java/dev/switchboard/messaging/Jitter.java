package dev.switchboard.messaging;

/** How a retry delay is randomised, so that many failing consumers do not retry in step. */
public enum Jitter {
  /** Uniform between zero and the computed delay. The default. */
  FULL,
  /** Uniform between half the computed delay and the whole of it. */
  EQUAL,
  /** Exactly the computed delay. */
  NONE
}
