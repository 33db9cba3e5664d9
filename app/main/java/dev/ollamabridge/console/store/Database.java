package dev.ollamabridge.console.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;

/**
 * The console's SQLite database: a small HikariCP pool with WAL, foreign keys and a busy timeout
 * set as driver properties (so every pooled connection has them), migrated by Flyway from
 * {@code db/} before anyone uses it.
 */
public final class Database implements AutoCloseable {

  private final HikariDataSource dataSource;

  private Database(HikariDataSource dataSource) {
    this.dataSource = dataSource;
  }

  /** Opens and migrates {@code file}; a failed migration is a {@link DatabaseException} that says why. */
  public static Database open(Path file) {
    HikariConfig config = new HikariConfig();
    config.setPoolName("console-db");
    config.setJdbcUrl("jdbc:sqlite:" + file.toAbsolutePath());
    config.addDataSourceProperty("journal_mode", "WAL");
    config.addDataSourceProperty("foreign_keys", "true");
    config.addDataSourceProperty("busy_timeout", "5000");
    config.addDataSourceProperty("synchronous", "NORMAL");
    // SQLite has one writer at a time: a few connections suffice, more would only queue on its lock.
    config.setMaximumPoolSize(4);
    HikariDataSource dataSource;
    try {
      dataSource = new HikariDataSource(config);
    } catch (RuntimeException e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      throw new DatabaseException("the database " + file + " cannot be opened: " + cause.getMessage(), e);
    }
    try {
      Flyway.configure()
          .dataSource(dataSource)
          .locations("classpath:db/migration")
          // a schema from a newer console is refused: this one would not know its tables
          .ignoreMigrationPatterns("")
          .load()
          .migrate();
    } catch (FlywayException e) {
      dataSource.close();
      throw new DatabaseException("the database " + file + " could not be migrated: " + e.getMessage(), e);
    }
    return new Database(dataSource);
  }

  public DataSource dataSource() {
    return dataSource;
  }

  public Connection connection() {
    try {
      return dataSource.getConnection();
    } catch (SQLException e) {
      throw new DatabaseException("no database connection: " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    dataSource.close();
  }
}
