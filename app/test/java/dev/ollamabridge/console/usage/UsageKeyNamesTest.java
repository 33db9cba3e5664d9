package dev.ollamabridge.console.usage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import dev.ollamabridge.console.store.Database;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Usage names each key by the client_keys table once it exists (the keys' own migration makes it),
 * by its id before, and by its id again for a key that is gone.
 */
class UsageKeyNamesTest {

  @TempDir Path dir;

  @Test
  void keysAreNamedFromTheKeysTableOnceItExists() throws Exception {
    try (Database database = Database.open(dir.resolve("console.db"))) {
      UsageRepository repository = new UsageRepository(database);
      UsageService service = new UsageService(repository, Clock.systemUTC());
      LocalDate today = LocalDate.now(ZoneOffset.UTC);
      long hour = today.atStartOfDay(ZoneOffset.UTC).toEpochSecond();
      UsageSource source = new UsageSource(1, "bridge", "local");
      repository.add(hour, source, new BridgeUsage.Series("7", "llama"), new UsageCounters(3, 0, 0, 0, 0));
      repository.add(hour, source, new BridgeUsage.Series("8", "llama"), new UsageCounters(2, 0, 0, 0, 0));
      UsageQuery byKey = new UsageQuery(today, today.plusDays(1), List.of(UsageDimension.KEY));
      assertThat(service.report(byKey).rows()).extracting(UsageRow::keyLabel).containsExactly("7", "8");

      try (Connection connection = database.connection(); Statement sql = connection.createStatement()) {
        // V10's table where it is there, else its required columns: integer ids, which the bridges label as text
        sql.executeUpdate("CREATE TABLE IF NOT EXISTS client_keys (id INTEGER PRIMARY KEY, name TEXT NOT NULL,"
            + " sha256 TEXT NOT NULL, prefix TEXT NOT NULL, created_at TEXT NOT NULL)");
        sql.executeUpdate("INSERT INTO client_keys (id, name, sha256, prefix, created_at)"
            + " VALUES (7, 'reporting app', 'ab', 'ob-ab', '2026-12-07T00:00:00Z')");
      }

      assertThat(service.report(byKey).rows()).extracting(UsageRow::keyId, UsageRow::keyName, UsageRow::keyLabel)
          .containsExactly(tuple("7", "reporting app", "reporting app"), tuple("8", null, "8"));
    }
  }
}
