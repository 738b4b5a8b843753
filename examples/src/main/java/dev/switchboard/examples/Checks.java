package dev.switchboard.examples;

import java.util.ArrayList;
import java.util.List;

/** Turns an example's result into the list of its failed checks, in words. */
final class Checks {
  private Checks() {}

  static List<String> of(OrderEventsExample.Result r) {
    List<String> failed = new ArrayList<>();
    if (!r.complete()) {
      failed.add(
          "order events missing (billing "
              + r.billingSaw()
              + ", shipping "
              + r.shippingSaw()
              + " of "
              + r.published()
              + ")");
    }
    if (!r.billingInOrder()) {
      failed.add("billing saw an order's events out of order");
    }
    if (!r.shippingInOrder() && r.orderPromised()) {
      failed.add("shipping saw an order's events out of order");
    }
    if (!r.paymentsMatch()) {
      failed.add("a payment did not match its order");
    }
    return failed;
  }

  static List<String> of(WorkQueueExample.Result r) {
    List<String> failed = new ArrayList<>();
    if (!r.complete() || r.lost() != 0) {
      failed.add(r.lost() + " job(s) neither handled nor dead-lettered");
    }
    if (r.deadLettered() != r.plannedFatal()) {
      failed.add(r.deadLettered() + " dead letters where " + r.plannedFatal() + " were planned");
    }
    if (r.redriven() != r.deadLettered()) {
      failed.add("redrive moved " + r.redriven() + " of " + r.deadLettered() + " dead letters");
    }
    if (r.handledTotal() != r.jobs()) {
      failed.add((r.jobs() - r.handledTotal()) + " job(s) not handled after the redrive");
    }
    if (r.deadLettersLeft() != 0) {
      failed.add(r.deadLettersLeft() + " dead letter(s) left after the redrive");
    }
    return failed;
  }

  static List<String> of(RequestReplyExample.Result r) {
    List<String> failed = new ArrayList<>();
    if (r.correlated() != r.asked()) {
      failed.add((r.asked() - r.correlated()) + " reply(ies) not matched to their request");
    }
    if (!r.timedOut()) {
      failed.add("the slow request did not time out");
    }
    if (!r.lateReplyDropped()) {
      failed.add("the slow request's late reply was not seen and dropped");
    }
    if (!r.remoteErrorSeen()) {
      failed.add(
          "the invalid SKU did not produce a remote error (got '" + r.remoteErrorType() + "')");
    }
    if (!r.nestedAlwaysSmaller()) {
      failed.add("a nested call had as much time as its caller");
    }
    if (r.timeoutsWhileStopped() < 1 || r.refusedFast() < 1) {
      failed.add(
          "while the service was down: "
              + r.timeoutsWhileStopped()
              + " timeout(s), "
              + r.refusedFast()
              + " fast refusal(s); expected at least one of each");
    }
    if (!r.recovered()) {
      failed.add("no successful request after the service returned");
    }
    if (!r.breakerOpenedAndClosed()) {
      failed.add(
          "the client's breaker did not open during the outage and close after it (transitions: "
              + (r.breakerTransitions().isEmpty()
                  ? "none"
                  : String.join(", ", r.breakerTransitions()))
              + ")");
    }
    return failed;
  }
}
