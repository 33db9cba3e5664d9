package dev.ollamabridge.console.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ollamabridge.Main;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class DatabaseTest {

  @TempDir Path dir;

  @Test
  void aNewDatabaseIsMigratedWithWalAndForeignKeysOn() throws Exception {
    try (Database database = Database.open(dir.resolve("console.db"));
        Connection connection = database.connection();
        Statement statement = connection.createStatement()) {
      assertThat(value(statement, "PRAGMA journal_mode")).isEqualTo("wal");
      assertThat(value(statement, "PRAGMA foreign_keys")).isEqualTo("1");
      assertThat(value(statement, "PRAGMA busy_timeout")).isEqualTo("5000");
      assertThat(value(statement, "SELECT COUNT(*) FROM sqlite_master WHERE name IN ('instances','settings','events','api_tokens')")).isEqualTo("4");
    }
  }

  @Test
  void aDatabaseFromANewerConsoleStopsStartUpWithAClearMessage() throws Exception {
    try (Database database = Database.open(dir.resolve("console.db"));
        Connection connection = database.connection();
        Statement statement = connection.createStatement()) {
      statement.executeUpdate("INSERT INTO flyway_schema_history (installed_rank, version, description, type, script,"
          + " checksum, installed_by, execution_time, success) VALUES (99, '99', 'from the future', 'SQL',"
          + " 'V99__from_the_future.sql', 0, 'test', 0, 1)");
    }

    assertThatThrownBy(() -> Database.open(dir.resolve("console.db")))
        .isInstanceOf(DatabaseException.class)
        .hasMessageContaining("could not be migrated")
        .hasMessageContaining("99");
  }

  @Test
  void theConsoleRefusesToStartOnAFileThatIsNoDatabase() throws Exception {
    Files.writeString(dir.resolve("console.db"), "this is not a database, just text that is long enough to fail");
    StringWriter err = new StringWriter();
    CommandLine commandLine = Main.commandLine();
    commandLine.setErr(new PrintWriter(err));
    java.io.ByteArrayOutputStream stderr = new java.io.ByteArrayOutputStream();
    java.io.PrintStream original = System.err;
    System.setErr(new java.io.PrintStream(stderr, true));
    try {
      int code = Assertions.assertTimeoutPreemptively(Duration.ofSeconds(30),
          () -> commandLine.execute("console", "--data", dir.toString(), "--listen", "127.0.0.1:0", "--nginx-mode", "off"));

      assertThat(code).isEqualTo(1);
      assertThat(stderr.toString()).contains("console:").contains("console.db");
    } finally {
      System.setErr(original);
    }
  }

  private static String value(Statement statement, String sql) throws Exception {
    try (ResultSet rows = statement.executeQuery(sql)) {
      rows.next();
      return rows.getString(1);
    }
  }
}
