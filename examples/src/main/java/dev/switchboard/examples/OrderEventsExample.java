package dev.switchboard.examples;

import dev.switchboard.examples.OrderEvent.LineItem;
import dev.switchboard.examples.OrderEvent.Step;
import dev.switchboard.messaging.MessageContext;
import dev.switchboard.messaging.Messaging;
import dev.switchboard.messaging.SendOptions;
import dev.switchboard.messaging.spi.Capability;
import java.io.PrintWriter;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Publish-subscribe. An order service publishes each order's events (placed, paid, shipped) to one
 * topic, keyed by order id. Two subscriber groups take every event: billing, one instance, checks
 * each payment against the order's total; shipping, two competing instances, splits the events
 * between them. Both must see every order's events in the order they happened, which the key
 * guarantees; the example checks it at the end.
 */
final class OrderEventsExample {
  private static final List<String> CUSTOMERS =
      List.of("ada", "brian", "chen", "dolores", "emeka", "freya", "gita", "hiro");
  private static final Map<String, BigDecimal> PRICES =
      Map.of(
          "KB-101", new BigDecimal("49.90"),
          "MS-220", new BigDecimal("19.50"),
          "MN-270", new BigDecimal("219.00"),
          "DK-900", new BigDecimal("399.00"),
          "CB-010", new BigDecimal("7.25"));
  private static final List<String> SKUS = PRICES.keySet().stream().sorted().toList();
  private static final List<String> CARRIERS = List.of("DHL", "UPS", "PostNL");

  /**
   * What happened.
   *
   * @param published events the order service published
   * @param billingSaw distinct events billing handled
   * @param shippingSaw distinct events the shipping group handled, both instances together
   * @param shippingPerInstance distinct events each shipping instance handled
   * @param duplicates deliveries of an event a group had already handled
   * @param billingInOrder whether billing, a single consumer, saw each order as placed, paid,
   *     shipped
   * @param shippingInOrder the same for the shipping group and its two competing instances
   * @param orderPromised whether the transport promises order per key across competing consumers
   *     ({@code Capability.ORDER_PER_KEY}); without it {@code shippingInOrder} is reported, not
   *     required
   * @param paymentsMatch whether every payment billing saw equalled the total of its order
   * @param complete whether every event reached both groups before the example gave up waiting
   */
  record Result(
      int published,
      int billingSaw,
      int shippingSaw,
      List<Integer> shippingPerInstance,
      int duplicates,
      boolean billingInOrder,
      boolean shippingInOrder,
      boolean orderPromised,
      boolean paymentsMatch,
      boolean complete) {
    Result {
      shippingPerInstance = List.copyOf(shippingPerInstance);
    }

    boolean orderKept() {
      return billingInOrder && shippingInOrder;
    }

    boolean ok() {
      return complete
          && billingInOrder
          && (shippingInOrder || !orderPromised)
          && paymentsMatch
          && billingSaw == published
          && shippingSaw == published;
    }
  }

  private final Backend backend;
  private final RunNames names;
  private final PrintWriter out;
  private final int orders;
  private final long seed;

  OrderEventsExample(Backend backend, RunNames names, PrintWriter out, int orders, long seed) {
    if (orders < 1) {
      throw new IllegalArgumentException("orders must be >= 1, was " + orders);
    }
    this.backend = backend;
    this.names = names;
    this.out = out;
    this.orders = orders;
    this.seed = seed;
  }

  Result run() throws InterruptedException {
    String topic = names.of("orders");
    Group billing = new Group("billing");
    Group shipping = new Group("shipping");
    Map<String, BigDecimal> orderTotals = new ConcurrentHashMap<>();
    AtomicInteger paymentMismatches = new AtomicInteger();
    try (Fleet fleet = new Fleet(backend, OrderEventsExample::types)) {
      Messaging orderService = fleet.start("order-service");
      fleet
          .start("billing")
          .subscribe(
              topic,
              "billing",
              OrderEvent.class,
              (event, ctx) -> {
                if (!billing.record(event, ctx, "billing")) {
                  return;
                }
                if (event instanceof OrderEvent.Placed placed) {
                  orderTotals.put(placed.orderId(), placed.total());
                } else if (event instanceof OrderEvent.Paid paid) {
                  BigDecimal expected = orderTotals.get(paid.orderId());
                  if (expected == null || expected.compareTo(paid.amount()) != 0) {
                    paymentMismatches.incrementAndGet();
                  }
                }
              });
      for (String instance : List.of("shipping-1", "shipping-2")) {
        fleet
            .start(instance)
            .subscribe(
                topic,
                "shipping",
                OrderEvent.class,
                (event, ctx) -> {
                  // A little work, so that both instances get a share of the events.
                  TimeUnit.MICROSECONDS.sleep(500 + Math.abs(event.hashCode() % 1500));
                  shipping.record(event, ctx, instance);
                });
      }
      out.printf(
          "billing (1 instance) and shipping (2 competing instances) subscribed to %s%n", topic);

      List<OrderEvent> timeline = timeline();
      for (int i = 0; i < timeline.size(); i++) {
        OrderEvent event = timeline.get(i);
        orderService.publish(topic, event, SendOptions.key(event.orderId())).join();
        if (i < 4) {
          out.printf("  order-service -> %-7s %s%n", label(event.step()), describe(event));
        } else if (i == 4) {
          out.printf(
              "  ... %d more, orders interleaved; the key (order id) keeps each order in line%n",
              timeline.size() - 4);
        }
      }

      boolean complete =
          Waits.until(
              () -> billing.distinct() >= timeline.size() && shipping.distinct() >= timeline.size(),
              backend.patience());
      List<String> orderIds =
          timeline.stream().map(OrderEvent::orderId).distinct().sorted().toList();
      out.println("first orders as each group saw them (@n: the shipping instance that took it)");
      for (String id : orderIds.subList(0, Math.min(3, orderIds.size()))) {
        out.printf(
            "  %s  billing: %-24s shipping: %s%n", id, billing.journey(id), shipping.journey(id));
      }
      boolean orderPromised =
          orderService.transport().capabilities().contains(Capability.ORDER_PER_KEY);
      List<Integer> perInstance =
          List.of(shipping.handledBy("shipping-1"), shipping.handledBy("shipping-2"));
      Result result =
          new Result(
              timeline.size(),
              billing.distinct(),
              shipping.distinct(),
              perInstance,
              billing.duplicates() + shipping.duplicates(),
              billing.inOrder(orderIds),
              shipping.inOrder(orderIds),
              orderPromised,
              paymentMismatches.get() == 0,
              complete);
      out.printf(
          "order events: %d published, billing saw %d, shipping saw %d across 2 instances"
              + " (%d/%d), per-order order kept: %s%n",
          result.published(),
          result.billingSaw(),
          result.shippingSaw(),
          perInstance.get(0),
          perInstance.get(1),
          result.orderKept() ? "yes" : "no");
      if (!orderPromised) {
        out.printf(
            "  (%s does not promise order per key across competing consumers, so the shipping"
                + " group's order is shown, not checked)%n",
            orderService.transport().name());
      }
      out.printf(
          "billing: every payment matched its order total: %s; duplicates delivered: %d%n",
          result.paymentsMatch() ? "yes" : "NO", result.duplicates());
      if (!complete) {
        out.printf(
            "events missing after waiting %d s: billing %d/%d, shipping %d/%d%n",
            backend.patience().toSeconds(),
            billing.distinct(),
            timeline.size(),
            shipping.distinct(),
            timeline.size());
      }
      return result;
    }
  }

  static Messaging.Builder types(Messaging.Builder b) {
    return b.register("OrderPlaced", OrderEvent.Placed.class)
        .register("OrderPaid", OrderEvent.Paid.class)
        .register("OrderShipped", OrderEvent.Shipped.class);
  }

  /**
   * Every order's three events, orders interleaved at random: the order service handles many orders
   * at once, but each order's own steps happen one after the other.
   */
  private List<OrderEvent> timeline() {
    Random random = new Random(seed);
    Instant clock = Instant.parse("2030-03-01T09:00:00Z");
    List<String> ids = new ArrayList<>();
    Map<String, Integer> nextStep = new LinkedHashMap<>();
    Map<String, BigDecimal> totals = new LinkedHashMap<>();
    for (int i = 0; i < orders; i++) {
      String id = String.format(Locale.ROOT, "A%04d", 1001 + i);
      ids.add(id);
      nextStep.put(id, 0);
    }
    List<OrderEvent> out = new ArrayList<>();
    while (!ids.isEmpty()) {
      String id = ids.get(random.nextInt(ids.size()));
      int step = nextStep.get(id);
      clock = clock.plusSeconds(1 + random.nextInt(90));
      switch (Step.values()[step]) {
        case PLACED -> {
          List<LineItem> items = new ArrayList<>();
          int lines = 1 + random.nextInt(3);
          for (int l = 0; l < lines; l++) {
            String sku = SKUS.get((random.nextInt(SKUS.size()) + l) % SKUS.size());
            if (items.stream().noneMatch(it -> it.sku().equals(sku))) {
              items.add(new LineItem(sku, 1 + random.nextInt(4), PRICES.get(sku)));
            }
          }
          OrderEvent.Placed placed =
              new OrderEvent.Placed(
                  id, CUSTOMERS.get(random.nextInt(CUSTOMERS.size())), items, clock);
          totals.put(id, placed.total());
          out.add(placed);
        }
        case PAID ->
            out.add(
                new OrderEvent.Paid(
                    id, totals.get(id), "pay-" + Integer.toHexString(random.nextInt()), clock));
        case SHIPPED ->
            out.add(
                new OrderEvent.Shipped(
                    id,
                    CARRIERS.get(random.nextInt(CARRIERS.size())),
                    String.format(Locale.ROOT, "TRK%08d", random.nextInt(100_000_000)),
                    clock));
      }
      if (step == Step.values().length - 1) {
        ids.remove(id);
      } else {
        nextStep.put(id, step + 1);
      }
    }
    return out;
  }

  private static String describe(OrderEvent event) {
    if (event instanceof OrderEvent.Placed p) {
      return String.format(
          Locale.ROOT,
          "%s for %s: %d item(s), %s EUR",
          p.orderId(),
          p.customer(),
          p.items().stream().mapToInt(LineItem::quantity).sum(),
          p.total().toPlainString());
    }
    if (event instanceof OrderEvent.Paid p) {
      return String.format(
          Locale.ROOT, "%s: %s EUR (%s)", p.orderId(), p.amount().toPlainString(), p.paymentId());
    }
    OrderEvent.Shipped s = (OrderEvent.Shipped) event;
    return String.format(Locale.ROOT, "%s: %s %s", s.orderId(), s.carrier(), s.trackingNumber());
  }

  private static String label(Step step) {
    return step.name().toLowerCase(Locale.ROOT);
  }

  /**
   * What one subscriber group saw: each order's steps in arrival order, and which instance handled
   * each event. A repeated delivery of an event (same message id) is counted, not recorded again.
   */
  private static final class Group {
    private final String name;
    private final Set<String> seenIds = ConcurrentHashMap.newKeySet();
    private final Map<String, List<Step>> steps = new ConcurrentHashMap<>();
    private final Map<String, Map<Step, String>> handlers = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> perInstance = new ConcurrentHashMap<>();
    private final AtomicInteger duplicates = new AtomicInteger();

    Group(String name) {
      this.name = name;
    }

    /** Records one delivery; false if this event was already handled by the group. */
    boolean record(OrderEvent event, MessageContext ctx, String instance) {
      if (!seenIds.add(ctx.envelope().id())) {
        duplicates.incrementAndGet();
        return false;
      }
      // One order's events never run at once in one group, so this list is not contended.
      steps.computeIfAbsent(event.orderId(), k -> new CopyOnWriteArrayList<>()).add(event.step());
      handlers
          .computeIfAbsent(event.orderId(), k -> new ConcurrentHashMap<>())
          .put(event.step(), instance);
      perInstance.computeIfAbsent(instance, k -> new AtomicInteger()).incrementAndGet();
      return true;
    }

    int distinct() {
      return seenIds.size();
    }

    int duplicates() {
      return duplicates.get();
    }

    int handledBy(String instance) {
      AtomicInteger n = perInstance.get(instance);
      return n == null ? 0 : n.get();
    }

    boolean inOrder(List<String> orderIds) {
      List<Step> expected = List.of(Step.values());
      return orderIds.stream().allMatch(id -> expected.equals(steps.get(id)));
    }

    String journey(String orderId) {
      List<Step> seen = steps.getOrDefault(orderId, List.of());
      Map<Step, String> by = handlers.getOrDefault(orderId, new EnumMap<>(Step.class));
      StringBuilder s = new StringBuilder();
      for (Step step : seen) {
        if (s.length() > 0) {
          s.append(", ");
        }
        s.append(label(step));
        String instance = by.get(step);
        if (instance != null && instance.startsWith(name + "-")) {
          s.append('@').append(instance.substring(name.length() + 1));
        }
      }
      return s.length() == 0 ? "nothing" : s.toString();
    }
  }
}
