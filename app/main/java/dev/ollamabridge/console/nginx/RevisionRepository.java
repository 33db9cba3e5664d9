package dev.ollamabridge.console.nginx;

import dev.ollamabridge.console.store.Database;
import dev.ollamabridge.console.store.DatabaseException;
import dev.ollamabridge.console.store.Retention;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/** Plain SQL over {@code nginx_revisions}. */
public final class RevisionRepository {

  private final Database database;
  private final Supplier<Retention> retention;

  /** Keeps what {@code retention} says, and always the revision nginx serves. */
  public RevisionRepository(Database database, Supplier<Retention> retention) {
    this.database = database;
    this.retention = retention;
  }

  Revision add(String actor, String hash, String config, String testOutput, String result, String message,
      Cause cause) {
    try (Connection connection = database.connection();
        PreparedStatement insert = connection.prepareStatement(
            "INSERT INTO nginx_revisions (created_at, actor, hash, config, test_output, result, message, cause, automatic,"
                + " rollback_to) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", Statement.RETURN_GENERATED_KEYS)) {
      insert.setString(1, Instant.now().toString());
      insert.setString(2, actor);
      insert.setString(3, hash);
      insert.setString(4, config);
      insert.setString(5, testOutput);
      insert.setString(6, result);
      insert.setString(7, message);
      insert.setString(8, cause.text());
      insert.setBoolean(9, cause.automatic());
      insert.setObject(10, cause.rollbackTo());
      insert.executeUpdate();
      long id;
      try (ResultSet keys = insert.getGeneratedKeys()) {
        keys.next();
        id = keys.getLong(1);
      }
      trim();
      return find(id).orElseThrow();
    } catch (SQLException e) {
      throw new DatabaseException("could not record an nginx revision: " + e.getMessage(), e);
    }
  }

  /** Deletes revisions past the retention, but never the last applied one: it may be rolled back to. */
  void trim() {
    Retention keep = retention.get();
    String lastApplied = "(SELECT COALESCE(MAX(id), 0) FROM nginx_revisions WHERE result = 'applied')";
    try (Connection connection = database.connection();
        PreparedStatement byCount = connection.prepareStatement("DELETE FROM nginx_revisions WHERE id <= "
            + "(SELECT id FROM nginx_revisions ORDER BY id DESC LIMIT 1 OFFSET ?) AND id <> " + lastApplied);
        PreparedStatement byAge = connection.prepareStatement(
            "DELETE FROM nginx_revisions WHERE created_at < ? AND id <> " + lastApplied)) {
      byCount.setInt(1, keep.rows());
      byCount.executeUpdate();
      byAge.setString(1, keep.cutoff(Instant.now()).toString());
      byAge.executeUpdate();
    } catch (SQLException e) {
      throw new DatabaseException("could not trim the nginx revisions: " + e.getMessage(), e);
    }
  }

  public Optional<Revision> find(long id) {
    return query("SELECT * FROM nginx_revisions WHERE id = ?", true, id).stream().findFirst();
  }

  /** The newest first, without their text. */
  public List<Revision> latest(int limit) {
    return query("SELECT * FROM nginx_revisions ORDER BY id DESC LIMIT ?", false, limit);
  }

  /** The newest first, without their text: only the automatic ones, or only those someone asked for. */
  public List<Revision> latest(int limit, boolean automatic) {
    return query("SELECT * FROM nginx_revisions WHERE automatic = ? ORDER BY id DESC LIMIT ?", false, automatic, limit);
  }

  /** The revision recorded just before this one, with its text: what a revision's diff starts from. */
  public Optional<Revision> before(long id) {
    return query("SELECT * FROM nginx_revisions WHERE id < ? ORDER BY id DESC LIMIT 1", true, id).stream().findFirst();
  }

  /** The configuration nginx serves now, as far as the console knows. */
  public Optional<Revision> lastApplied() {
    return query("SELECT * FROM nginx_revisions WHERE result = 'applied' ORDER BY id DESC LIMIT 1", true).stream().findFirst();
  }

  /**
   * The newest revision of this hash, without its text: how an edge's served hash links to the
   * revision the console recorded for it.
   */
  public Optional<Revision> findByHash(String hash) {
    return query("SELECT * FROM nginx_revisions WHERE hash = ? ORDER BY id DESC LIMIT 1", false, hash).stream().findFirst();
  }

  private List<Revision> query(String sql, boolean withConfig, Object... args) {
    try (Connection connection = database.connection();
        PreparedStatement query = connection.prepareStatement(sql)) {
      for (int i = 0; i < args.length; i++) {
        query.setObject(i + 1, args[i]);
      }
      List<Revision> revisions = new ArrayList<>();
      try (ResultSet rows = query.executeQuery()) {
        while (rows.next()) {
          long rollbackTo = rows.getLong("rollback_to");
          boolean rollback = !rows.wasNull();
          revisions.add(new Revision(rows.getLong("id"), Instant.parse(rows.getString("created_at")),
              rows.getString("actor"), rows.getString("hash"), withConfig ? rows.getString("config") : null,
              rows.getString("test_output"), rows.getString("result"), rows.getString("message"),
              rows.getString("cause"), rows.getBoolean("automatic"), rollback ? rollbackTo : null));
        }
      }
      return revisions;
    } catch (SQLException e) {
      throw new DatabaseException("could not read nginx revisions: " + e.getMessage(), e);
    }
  }
}
