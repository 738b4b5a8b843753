package dev.switchboard.messaging;

import dev.switchboard.messaging.spi.DeadLetterStore;
import dev.switchboard.messaging.spi.WireMessage;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/** Browse and redrive on top of a transport's {@link DeadLetterStore}. */
final class DeadLettersImpl implements DeadLetters {
  /**
   * How many dead letters one redrive examines, oldest first. A dry run and a real move scan the
   * same window, so that the dry run reports what the move would do.
   */
  private static final int SCAN_LIMIT = 100_000;

  private final DeadLetterStore store;
  private final String name;
  private final Clock clock;

  DeadLettersImpl(DeadLetterStore store, String name, Clock clock) {
    this.store = store;
    this.name = name;
    this.clock = clock;
  }

  @Override
  public List<DeadLetter> browse(int limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be >= 1, was " + limit);
    }
    List<DeadLetter> out = new ArrayList<>();
    for (WireMessage m : store.browse(limit)) {
      out.add(new DeadLetter(m.envelope(), m.body()));
    }
    return out;
  }

  @Override
  public Redrive.Result redrive(Redrive request) {
    AtomicInteger matched = new AtomicInteger();
    AtomicInteger refused = new AtomicInteger();
    if (request.dryRun()) {
      for (DeadLetter d : browse(SCAN_LIMIT)) {
        if (matched.get() >= request.limit()) {
          break;
        }
        if (request.filter().test(d)) {
          if (d.redriveCount() >= request.maxRedrives()) {
            refused.incrementAndGet();
          } else {
            matched.incrementAndGet();
          }
        }
      }
      return new Redrive.Result(matched.get() + refused.get(), 0, refused.get(), true);
    }
    int moved =
        store.move(
            SCAN_LIMIT,
            m -> {
              if (matched.get() >= request.limit()) {
                return Optional.empty();
              }
              DeadLetter d = new DeadLetter(m.envelope(), m.body());
              if (!request.filter().test(d)) {
                return Optional.empty();
              }
              if (d.redriveCount() >= request.maxRedrives()) {
                refused.incrementAndGet();
                return Optional.empty();
              }
              matched.incrementAndGet();
              return Optional.of(redriven(m, d.redriveCount() + 1));
            });
    return new Redrive.Result(matched.get() + refused.get(), moved, refused.get(), false);
  }

  private WireMessage redriven(WireMessage m, int count) {
    Envelope.Builder b = m.envelope().toBuilder().attempt(1);
    // A deadline already passed would only dead-letter the message again as expired.
    if (m.envelope().deadline().isPresent()
        && m.envelope().deadline().get().isBefore(clock.instant())) {
      b.deadline(null);
    }
    for (String header : m.envelope().headers().keySet()) {
      if (header.startsWith(Failure.PREFIX) || header.equals(Attempts.FIRST_FAILURE)) {
        b.removeHeader(header);
      }
    }
    b.header(Redrive.COUNT, Integer.toString(count))
        .header(Redrive.FROM, name)
        .header(Redrive.AT, clock.instant().toString());
    return m.withEnvelope(b.build());
  }

  @Override
  public long count() {
    return store.count();
  }
}
