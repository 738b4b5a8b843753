package dev.switchboard.messaging;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.event.CircuitBreakerOnStateTransitionEvent;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.function.Consumer;

/**
 * One state-transition listener per breaker, fanned out to the gates currently using it.
 *
 * <p>Resilience4j has no way to unregister an event consumer, and a user's breaker may be shared by
 * many consumers that come and go. Registering each gate directly would keep every closed consumer
 * reachable from the breaker forever; instead the breaker holds one listener, and gates join and
 * leave its set. Breakers are held weakly, so a breaker the user drops is collected.
 */
final class BreakerEvents {
  private static final Map<CircuitBreaker, Set<Consumer<CircuitBreakerOnStateTransitionEvent>>>
      LISTENERS = new WeakHashMap<>();

  private BreakerEvents() {}

  static void join(CircuitBreaker breaker, Consumer<CircuitBreakerOnStateTransitionEvent> gate) {
    Set<Consumer<CircuitBreakerOnStateTransitionEvent>> gates;
    synchronized (LISTENERS) {
      gates = LISTENERS.get(breaker);
      if (gates == null) {
        Set<Consumer<CircuitBreakerOnStateTransitionEvent>> created = new CopyOnWriteArraySet<>();
        LISTENERS.put(breaker, created);
        breaker.getEventPublisher().onStateTransition(e -> created.forEach(g -> g.accept(e)));
        gates = created;
      }
    }
    gates.add(gate);
  }

  static void leave(CircuitBreaker breaker, Consumer<CircuitBreakerOnStateTransitionEvent> gate) {
    synchronized (LISTENERS) {
      Set<Consumer<CircuitBreakerOnStateTransitionEvent>> gates = LISTENERS.get(breaker);
      if (gates != null) {
        gates.remove(gate);
      }
    }
  }
}
