package dev.switchboard.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class BrokerSuiteTest {
  @Test
  void aFilterNamingOneExactScenarioSelectsItsFamily() {
    Map<String, String> familyOfScenario =
        Map.of(
            "rabbitmq-request-reply-inflight128-100B", "rabbitmq-request-reply",
            "rabbitmq-request-reply-inflight16-1KB", "rabbitmq-request-reply",
            "kafka-latency-50pct-1KB", "kafka-latency",
            "kafka-request-reply-latency-25pct-100B", "kafka-request-reply-latency",
            "rabbitmq-request-reply-latency-50pct-1KB", "rabbitmq-request-reply-latency",
            "kafka-consume-share-1KB", "kafka-consume-share");
    familyOfScenario.forEach(
        (scenario, family) ->
            assertThat(BrokerSuite.selectsAny(exactly(scenario), family)).as(scenario).isTrue());
  }

  @Test
  void aFilterForAnotherBrokerSelectsNothing() {
    assertThat(BrokerSuite.selectsAny(Pattern.compile("^kafka-").asPredicate(), "rabbitmq-latency"))
        .isFalse();
  }

  @Test
  void everyBrokerListsTheRequestReplyLatencyFamily() {
    for (BrokerSuite suite : java.util.List.of(new KafkaSuite(), new RabbitSuite())) {
      assertThat(suite.families()).as(suite.name()).contains(RequestLatency.FAMILY);
    }
  }

  private static java.util.function.Predicate<String> exactly(String name) {
    return Pattern.compile("^" + Pattern.quote(name) + "$").asPredicate();
  }
}
