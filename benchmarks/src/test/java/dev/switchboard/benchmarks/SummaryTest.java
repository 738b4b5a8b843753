package dev.switchboard.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SummaryTest {
  @Test
  void writeCsv_hasTheFiveColumnsAndMarksSkippedScenarios(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("summary.csv");
    Summary.writeCsv(
        List.of(
            new Row("memory-pubsub-100B", "msg/s vs B1", 300, 600, 0.5, 0.4, 0.6, 3, null),
            Row.skipped("kafka-publish", "adapter not available")),
        file);
    assertThat(Files.readAllLines(file))
        .containsExactly(
            "scenario,metric,switchboard,baseline,ratio",
            "memory-pubsub-100B,msg/s vs B1,300.00,600.00,0.5000",
            "kafka-publish,skipped: adapter not available,,,");
  }

  @Test
  void csv_quotesFieldsWithCommas() {
    assertThat(Summary.csv("a,b")).isEqualTo("\"a,b\"");
    assertThat(Summary.csv("plain")).isEqualTo("plain");
  }
}
