package dev.switchboard.testkit.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectMethod;
import static org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder.request;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

class LogCheckTest {
  private static final Logger TOOLKIT = LoggerFactory.getLogger("dev.switchboard.example");
  private static final Logger OTHER = LoggerFactory.getLogger("org.example.library");

  /** Tests run through the launcher below, never on their own (surefire skips nested classes). */
  static class Subject {
    @RegisterExtension final LogCheck logs = new LogCheck();

    @Test
    void logsInfo() {
      TOOLKIT.info("consumer started");
    }

    @Test
    void logsWarning() {
      TOOLKIT.warn("handler failed on {}", "orders");
    }

    @Test
    @AllowWarnings("the handler fails on purpose")
    void logsAnAllowedWarning() {
      TOOLKIT.warn("handler failed on {}", "orders");
    }

    @Test
    @AllowWarnings("warnings only; errors still count")
    void logsAnError() {
      TOOLKIT.error("dead-letter publish failed", new IllegalStateException("broker gone"));
    }

    @Test
    void logsAnErrorOutsideTheToolkit() {
      OTHER.error("not ours");
    }
  }

  @Test
  void infoPasses() {
    assertThat(failuresOf("logsInfo")).isEmpty();
  }

  @Test
  void warningFailsATestThatExpectsNone() {
    assertThat(failuresOf("logsWarning"))
        .singleElement()
        .satisfies(
            f ->
                assertThat(f.getException())
                    .isInstanceOf(AssertionError.class)
                    .hasMessageContaining("1 event(s) at WARN")
                    .hasMessageContaining("handler failed on orders"));
  }

  @Test
  void allowedWarningPasses() {
    assertThat(failuresOf("logsAnAllowedWarning")).isEmpty();
  }

  @Test
  void errorFailsEvenWhereWarningsAreAllowed() {
    assertThat(failuresOf("logsAnError"))
        .singleElement()
        .satisfies(
            f ->
                assertThat(f.getException())
                    .hasMessageContaining("at ERROR")
                    .hasMessageContaining("IllegalStateException: broker gone"));
  }

  @Test
  void loggersOutsideTheToolkitAreNotChecked() {
    assertThat(failuresOf("logsAnErrorOutsideTheToolkit")).isEmpty();
  }

  private static List<TestExecutionSummary.Failure> failuresOf(String method) {
    SummaryGeneratingListener listener = new SummaryGeneratingListener();
    LauncherFactory.create()
        .execute(request().selectors(selectMethod(Subject.class, method)).build(), listener);
    assertThat(listener.getSummary().getTestsStartedCount()).as("tests started").isEqualTo(1);
    return listener.getSummary().getFailures();
  }
}
