package dev.switchboard.testkit.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LedgerFileTest {
  @Test
  void appendedHandlingsReadBackInOrder(@TempDir Path dir) {
    try (LedgerFile ledger = LedgerFile.open(dir, 42)) {
      ledger.append(new Handling("m-000001", 1, 42, Handling.Outcome.RETRY, 10));
      ledger.append(new Handling("m-000001", 2, 42, Handling.Outcome.OK, 20));
    }

    assertThat(LedgerFile.readAll(dir))
        .containsExactly(
            new Handling("m-000001", 1, 42, Handling.Outcome.RETRY, 10),
            new Handling("m-000001", 2, 42, Handling.Outcome.OK, 20));
  }

  @Test
  void aPartialLastLineLeftByAKillIsIgnored() {
    List<Handling> read = new ArrayList<>();

    LedgerFile.read("m-000001,1,7,OK,5\nm-000002,1,7,O", read);

    assertThat(read).containsExactly(new Handling("m-000001", 1, 7, Handling.Outcome.OK, 5));
  }

  @Test
  void aGarbledLineIsIgnoredAndTheNextOneKept() {
    List<Handling> read = new ArrayList<>();

    LedgerFile.read("m-000001,x,7,OK,5\n,1,7,OK,5\nm-000003,1,7,FATAL,9\n", read);

    assertThat(read).containsExactly(new Handling("m-000003", 1, 7, Handling.Outcome.FATAL, 9));
  }
}
