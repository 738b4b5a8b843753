package dev.switchboard.rabbit.ledger;

import static org.awaitility.Awaitility.await;

import dev.switchboard.testkit.rabbit.PrivateRabbitNode;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Makes one dead-letter queue of a private node refuse every publish for a while, on the broker
 * itself, through a policy that matches that queue's name only.
 *
 * <p>{@link #begin()} applies {@code max-length: 0} with {@code overflow: reject-publish}: the
 * queue counts as full while it holds a single ready message, and from then on the broker answers
 * each publish to it with a {@code basic.nack}. A ledger run has dead letters in the queue by then,
 * so the first publish is refused already; messages already in the queue stay. {@link #end()} first
 * raises the limit and only then removes the policy: a quorum queue lets the channels it refused
 * publish again only when its limit rises, and on RabbitMQ 3.10 removing the policy alone leaves
 * them refused. Both methods return once {@code rabbitmqctl list_queues} shows the change on the
 * queue.
 */
final class DeadLetterQueueOutage {
  private static final String REFUSING = "{\"max-length\":0,\"overflow\":\"reject-publish\"}";
  private static final String LIFTED =
      "{\"max-length\":1000000000,\"overflow\":\"reject-publish\"}";
  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  private final PrivateRabbitNode node;
  private final String queue;
  private final String policy;
  private final String pattern;
  private boolean applied;

  DeadLetterQueueOutage(PrivateRabbitNode node, String queue) {
    this.node = Objects.requireNonNull(node, "node");
    this.queue = Objects.requireNonNull(queue, "queue");
    this.policy = "ledger-dead-letter-outage-" + queue;
    this.pattern = "^" + queue.replaceAll("[^A-Za-z0-9]", "\\\\$0") + "$";
  }

  /** Applies the refusing policy; returns once it is in force on the queue, and on it alone. */
  void begin() {
    node.setPolicy(policy, pattern, REFUSING);
    applied = true;
    await("policy " + policy + " on " + queue)
        .atMost(TIMEOUT)
        .until(() -> Map.of(queue, policy).equals(withThisPolicy()));
  }

  /** Lifts the limit, then removes the policy; returns once the queue has no policy. */
  void end() {
    if (!applied) {
      return;
    }
    node.setPolicy(policy, pattern, LIFTED);
    node.clearPolicy(policy);
    applied = false;
    await("policy " + policy + " removed").atMost(TIMEOUT).until(() -> withThisPolicy().isEmpty());
  }

  private Map<String, String> withThisPolicy() {
    Map<String, String> all = new HashMap<>(node.queuePolicies());
    all.values().removeIf(p -> !p.equals(policy));
    return all;
  }
}
