package dev.ollamabridge.console.nginx;

import dev.ollamabridge.console.store.Database;
import dev.ollamabridge.console.store.DatabaseException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Plain SQL over {@code nginx_revisions}. */
public final class RevisionRepository {

  private final Database database;

  public RevisionRepository(Database database) {
    this.database = database;
  }

  Revision add(String actor, String hash, String config, String testOutput, String result, String message) {
    try (Connection connection = database.connection();
        PreparedStatement insert = connection.prepareStatement(
            "INSERT INTO nginx_revisions (created_at, actor, hash, config, test_output, result, message)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?)", Statement.RETURN_GENERATED_KEYS)) {
      insert.setString(1, Instant.now().toString());
      insert.setString(2, actor);
      insert.setString(3, hash);
      insert.setString(4, config);
      insert.setString(5, testOutput);
      insert.setString(6, result);
      insert.setString(7, message);
      insert.executeUpdate();
      try (ResultSet keys = insert.getGeneratedKeys()) {
        keys.next();
        return find(keys.getLong(1)).orElseThrow();
      }
    } catch (SQLException e) {
      throw new DatabaseException("could not record an nginx revision: " + e.getMessage(), e);
    }
  }

  public Optional<Revision> find(long id) {
    return query("SELECT * FROM nginx_revisions WHERE id = ?", true, id).stream().findFirst();
  }

  /** The newest first, without their text. */
  public List<Revision> latest(int limit) {
    return query("SELECT * FROM nginx_revisions ORDER BY id DESC LIMIT ?", false, limit);
  }

  /** The configuration nginx serves now, as far as the console knows. */
  public Optional<Revision> lastApplied() {
    return query("SELECT * FROM nginx_revisions WHERE result = 'applied' ORDER BY id DESC LIMIT 1", true).stream().findFirst();
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
          revisions.add(new Revision(rows.getLong("id"), Instant.parse(rows.getString("created_at")),
              rows.getString("actor"), rows.getString("hash"), withConfig ? rows.getString("config") : null,
              rows.getString("test_output"), rows.getString("result"), rows.getString("message")));
        }
      }
      return revisions;
    } catch (SQLException e) {
      throw new DatabaseException("could not read nginx revisions: " + e.getMessage(), e);
    }
  }
}
