package dev.switchboard.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.kafka.ShareFailures.Verdict;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.GroupAuthorizationException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.UnsupportedVersionException;
import org.junit.jupiter.api.Test;

/** What a share poll loop does about each kind of consumer failure; time is passed in. */
class ShareFailuresTest {
  private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

  private final ShareFailures failures = new ShareFailures("queue:jobs group jobs");

  @Test
  void retriableError_isRetriedWithTheSameConsumer() {
    assertThat(failures.onFailure(new TimeoutException("slow"), 0, 2)).isEqualTo(Verdict.RETRY);
  }

  @Test
  void loginRightsOrMissingShareGroups_stopTheLoopAtOnce() {
    assertThat(failures.onFailure(new SaslAuthenticationException("no"), 0, 0))
        .isEqualTo(Verdict.STOP);
    assertThat(failures.onFailure(new GroupAuthorizationException("jobs"), 0, 0))
        .isEqualTo(Verdict.STOP);
    assertThat(failures.onFailure(new UnsupportedVersionException("share"), 0, 0))
        .isEqualTo(Verdict.STOP);
  }

  @Test
  void consumerInAStateItCannotGoOnFrom_isReplaced() {
    IllegalStateException refused =
        new IllegalStateException("All records must be acknowledged in explicit mode.");

    assertThat(failures.onFailure(refused, 0, 3)).isEqualTo(Verdict.REPLACE);
    assertThat(failures.onFailure(new KafkaException("unforeseen"), SECOND, 0))
        .isEqualTo(Verdict.REPLACE);
    assertThat(failures.onFailure(new NullPointerException(), 2 * SECOND, 0))
        .isEqualTo(Verdict.REPLACE);
  }

  @Test
  void oneFailureMoreThanTheReplacementsAllowedWithinTheWindow_stopsTheLoop() {
    long t = 0;
    for (int i = 0; i < ShareFailures.MAX_REPLACEMENTS; i++) {
      assertThat(failures.onFailure(new IllegalStateException(), t, 0)).isEqualTo(Verdict.REPLACE);
      t += SECOND;
    }

    assertThat(failures.onFailure(new IllegalStateException(), t, 0)).isEqualTo(Verdict.STOP);
  }

  @Test
  void replacementsOlderThanTheWindow_areForgotten() {
    for (int i = 0; i < ShareFailures.MAX_REPLACEMENTS; i++) {
      failures.onFailure(new IllegalStateException(), i * SECOND, 0);
    }
    long later = ShareFailures.WINDOW.toNanos() + ShareFailures.MAX_REPLACEMENTS * SECOND;

    assertThat(failures.onFailure(new IllegalStateException(), later, 0))
        .isEqualTo(Verdict.REPLACE);
  }
}
