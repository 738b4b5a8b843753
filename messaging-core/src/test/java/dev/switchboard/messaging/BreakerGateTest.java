package dev.switchboard.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.messaging.memory.InMemoryTransport;
import dev.switchboard.messaging.time.VirtualTime;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class BreakerGateTest {
  private final VirtualTime time = VirtualTime.create();
  private final Engine engine =
      new Engine(
          InMemoryTransport.create(),
          Payloads.defaults(dev.switchboard.messaging.codec.TypeRegistry.empty()),
          HeaderLimits.defaults(),
          time,
          time.clock(),
          Runnable::run,
          MessagingListener.logging(),
          "test");

  @Test
  void aTransitionBetweenTheRefusalAndThePauseDoesNotLeaveTheConsumerPaused() {
    CircuitBreaker breaker =
        CircuitBreaker.of(
            "race", CircuitBreakerConfig.custom().permittedNumberOfCallsInHalfOpenState(1).build());
    AtomicBoolean paused = new AtomicBoolean();
    AtomicBoolean closeDuringPause = new AtomicBoolean();
    BreakerGate gate =
        new BreakerGate(
            breaker,
            engine,
            new BreakerGate.Target() {
              @Override
              public void breakerPause() {
                paused.set(true);
                if (closeDuringPause.getAndSet(false)) {
                  // The trial's outcome lands right here, on another thread in real life.
                  breaker.transitionToClosedState();
                  paused.set(true); // this pause call is still finishing after the resume
                }
              }

              @Override
              public void breakerResume() {
                paused.set(false);
              }

              @Override
              public String describe() {
                return "test consumer";
              }
            });
    breaker.transitionToOpenState();
    breaker.transitionToHalfOpenState();
    assertThat(gate.tryAcquire()).isTrue(); // the only trial slot
    closeDuringPause.set(true);
    assertThat(gate.tryAcquire()).isFalse();
    assertThat(breaker.getState()).isEqualTo(CircuitBreaker.State.CLOSED);
    assertThat(paused).as("consumer paused although the breaker is closed").isFalse();
    gate.close();
  }
}
