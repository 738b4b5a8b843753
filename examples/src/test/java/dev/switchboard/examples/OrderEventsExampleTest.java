package dev.switchboard.examples;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(NoWarnings.class)
class OrderEventsExampleTest {
  @Test
  void everyGroupSeesEveryOrdersEventsInOrder() throws Exception {
    Output out = new Output();
    OrderEventsExample.Result r;
    try (Backend backend = new MemoryBackend()) {
      r = new OrderEventsExample(backend, RunNames.random(), out.writer(), 8, 3).run();
    }

    assertThat(r.complete()).isTrue();
    assertThat(r.published()).isEqualTo(8 * 3);
    assertThat(r.billingSaw()).isEqualTo(r.published());
    assertThat(r.shippingSaw()).isEqualTo(r.published());
    assertThat(r.shippingPerInstance()).hasSize(2);
    assertThat(r.shippingPerInstance().get(0) + r.shippingPerInstance().get(1))
        .isEqualTo(r.published());
    assertThat(r.orderPromised()).isTrue();
    assertThat(r.billingInOrder()).isTrue();
    assertThat(r.shippingInOrder()).isTrue();
    assertThat(r.paymentsMatch()).isTrue();
    assertThat(r.duplicates()).isZero();
    assertThat(r.ok()).isTrue();
    assertThat(out.toString())
        .contains("order events: 24 published, billing saw 24, shipping saw 24 across 2 instances")
        .contains("per-order order kept: yes");
  }
}
