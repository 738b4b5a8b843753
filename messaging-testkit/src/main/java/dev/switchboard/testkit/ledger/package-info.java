/**
 * The ledger test: a no-loss check of the at-least-once promise under process kills, a dead-letter
 * outage, a broker restart and a stalled handler, written once for every transport.
 *
 * <p>A parent ({@link dev.switchboard.testkit.ledger.LedgerRun}) publishes uniquely identified
 * {@link dev.switchboard.testkit.ledger.LedgerJob}s while consumer child JVMs ({@link
 * dev.switchboard.testkit.ledger.LedgerChild}) handle them through the public {@code Messaging}
 * API. Every handling is appended to the child's own ledger file ({@link
 * dev.switchboard.testkit.ledger.LedgerFile}); the parent merges the files, browses the dead-letter
 * queue and computes the {@link dev.switchboard.testkit.ledger.LedgerVerdict}. What fails, and
 * when, follows from the {@link dev.switchboard.testkit.ledger.LedgerPlan} alone, so the parent
 * knows the expected outcome of every message without asking the children.
 */
@NullMarked
package dev.switchboard.testkit.ledger;

import org.jspecify.annotations.NullMarked;
