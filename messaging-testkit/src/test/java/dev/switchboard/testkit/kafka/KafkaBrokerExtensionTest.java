package dev.switchboard.testkit.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(KafkaBrokerExtension.class)
class KafkaBrokerExtensionTest {

  @Test
  void suppliesTheRunningSharedBroker(KafkaBroker kafka) throws Exception {
    assertThat(kafka).isSameAs(KafkaBroker.shared());
    assertThat(kafka.isRunning()).isTrue();
    try (Admin admin = Admin.create(kafka.clientConfig())) {
      assertThat(admin.describeCluster().nodes().get(30, TimeUnit.SECONDS)).isNotEmpty();
    }
  }

  @Test
  void sharedBroker_refusesLifecycleCallsFromTests(KafkaBroker kafka) {
    assertThatThrownBy(kafka::stop)
        .isInstanceOf(UnsupportedOperationException.class)
        .hasMessageContaining("KafkaBroker.builder()");
    assertThatThrownBy(kafka::kill).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(kafka::restart).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(kafka::close).isInstanceOf(UnsupportedOperationException.class);
    assertThat(kafka.isRunning()).isTrue();
  }
}
