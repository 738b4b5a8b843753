package dev.switchboard.examples;

import java.util.Objects;

/**
 * A job on the work queue: render invoice {@code invoiceId} with {@code template} and mail it.
 *
 * @param number the job's position in the batch, from 1
 * @param invoiceId the invoice to render
 * @param template the template to render it with; a job naming a template that is not deployed
 *     fails for good until someone deploys it
 * @param simulatedGlitches how many first attempts fail with a transient error, so that the demo
 *     shows retries without depending on luck; 0 for a job that works at once
 */
record Job(int number, String invoiceId, String template, int simulatedGlitches) {
  Job {
    if (number < 1) {
      throw new IllegalArgumentException("number must be >= 1, was " + number);
    }
    Objects.requireNonNull(invoiceId, "invoiceId");
    Objects.requireNonNull(template, "template");
    if (simulatedGlitches < 0) {
      throw new IllegalArgumentException(
          "simulatedGlitches must not be negative, was " + simulatedGlitches);
    }
  }
}
