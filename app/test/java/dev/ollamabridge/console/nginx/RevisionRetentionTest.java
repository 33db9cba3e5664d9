package dev.ollamabridge.console.nginx;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ollamabridge.console.store.Database;
import dev.ollamabridge.console.store.Retention;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Revisions keep a window of the newest, and always the one nginx serves, which can still be rolled back to. */
class RevisionRetentionTest {

  @TempDir Path dir;

  @Test
  void theNewestRevisionsAndTheLastAppliedOneAreKept() {
    try (Database database = Database.open(dir.resolve("console.db"))) {
      RevisionRepository revisions = new RevisionRepository(database, () -> new Retention(10, Duration.ofDays(30)));
      Revision applied = null;
      for (int i = 1; i <= 40; i++) {
        Revision added = revisions.add("test", "hash" + i, "config " + i, "", i == 3 ? "applied" : "rejected", null,
            Cause.of("test", "test " + i));
        applied = i == 3 ? added : applied;
      }

      assertThat(revisions.latest(1000)).hasSize(11);
      assertThat(revisions.latest(1000).get(0).hash()).isEqualTo("hash40");
      assertThat(revisions.find(applied.id())).isPresent();
      assertThat(revisions.lastApplied().orElseThrow().id()).isEqualTo(applied.id());
    }
  }
}
