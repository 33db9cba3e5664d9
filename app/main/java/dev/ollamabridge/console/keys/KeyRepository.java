package dev.ollamabridge.console.keys;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
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

/** Plain SQL over the {@code client_keys} table. */
final class KeyRepository {

  private static final TypeReference<List<String>> NAMES = new TypeReference<>() {};

  private final Database database;
  private final ObjectMapper json;

  KeyRepository(Database database, ObjectMapper json) {
    this.database = database;
    this.json = json;
  }

  /** Every key, the live ones first, then by name; revoked ones only when asked for. */
  List<ClientKey> all(boolean withRevoked) {
    return query("SELECT * FROM client_keys" + (withRevoked ? "" : " WHERE revoked_at IS NULL")
        + " ORDER BY revoked_at IS NOT NULL, name, id", null);
  }

  Optional<ClientKey> find(long id) {
    return query("SELECT * FROM client_keys WHERE id = ?", id).stream().findFirst();
  }

  boolean anyLive() {
    try (Connection connection = database.connection();
        PreparedStatement query = connection.prepareStatement("SELECT 1 FROM client_keys WHERE revoked_at IS NULL LIMIT 1");
        ResultSet rows = query.executeQuery()) {
      return rows.next();
    } catch (SQLException e) {
      throw new DatabaseException("could not read the client keys: " + e.getMessage(), e);
    }
  }

  /** The new key's id; {@link KeyConflict} when a live key has its name. */
  long insert(ClientKey key) {
    try (Connection connection = database.connection();
        PreparedStatement insert = connection.prepareStatement("""
            INSERT INTO client_keys (name, owner, sha256, prefix, models, requests_per_minute, tokens_per_day,
                expires_at, enabled, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            Statement.RETURN_GENERATED_KEYS)) {
      insert.setString(1, key.name());
      insert.setString(2, key.owner());
      insert.setString(3, key.sha256());
      insert.setString(4, key.prefix());
      insert.setString(5, toJson(key.models()));
      insert.setInt(6, key.requestsPerMinute());
      insert.setLong(7, key.tokensPerDay());
      insert.setString(8, key.expiresAt() == null ? null : key.expiresAt().toString());
      insert.setInt(9, key.enabled() ? 1 : 0);
      insert.setString(10, key.createdAt().toString());
      insert.executeUpdate();
      try (ResultSet ids = insert.getGeneratedKeys()) {
        ids.next();
        return ids.getLong(1);
      }
    } catch (SQLException e) {
      throw conflictOr(e, key.name(), "could not create key " + key.name());
    }
  }

  /** Stores what a change may touch; {@link KeyConflict} when a live key has the new name. */
  void update(ClientKey key) {
    try (Connection connection = database.connection();
        PreparedStatement update = connection.prepareStatement("""
            UPDATE client_keys SET name = ?, owner = ?, models = ?, requests_per_minute = ?, tokens_per_day = ?,
                expires_at = ?, enabled = ? WHERE id = ? AND revoked_at IS NULL""")) {
      update.setString(1, key.name());
      update.setString(2, key.owner());
      update.setString(3, toJson(key.models()));
      update.setInt(4, key.requestsPerMinute());
      update.setLong(5, key.tokensPerDay());
      update.setString(6, key.expiresAt() == null ? null : key.expiresAt().toString());
      update.setInt(7, key.enabled() ? 1 : 0);
      update.setLong(8, key.id());
      update.executeUpdate();
    } catch (SQLException e) {
      throw conflictOr(e, key.name(), "could not change key " + key.id());
    }
  }

  /** Whether a live key with this id was there to revoke. */
  boolean revoke(long id, Instant at) {
    try (Connection connection = database.connection();
        PreparedStatement update = connection.prepareStatement(
            "UPDATE client_keys SET revoked_at = ?, enabled = 0 WHERE id = ? AND revoked_at IS NULL")) {
      update.setString(1, at.toString());
      update.setLong(2, id);
      return update.executeUpdate() > 0;
    } catch (SQLException e) {
      throw new DatabaseException("could not revoke key " + id + ": " + e.getMessage(), e);
    }
  }

  private static RuntimeException conflictOr(SQLException e, String name, String what) {
    if (String.valueOf(e.getMessage()).contains("UNIQUE constraint failed: client_keys.name")) {
      return new KeyConflict("name", "another key is named '" + name + "': names of keys in use are distinct");
    }
    return new DatabaseException(what + ": " + e.getMessage(), e);
  }

  private List<ClientKey> query(String sql, Long id) {
    try (Connection connection = database.connection();
        PreparedStatement query = connection.prepareStatement(sql)) {
      if (id != null) {
        query.setLong(1, id);
      }
      try (ResultSet rows = query.executeQuery()) {
        List<ClientKey> keys = new ArrayList<>();
        while (rows.next()) {
          keys.add(row(rows));
        }
        return keys;
      }
    } catch (SQLException e) {
      throw new DatabaseException("could not read the client keys: " + e.getMessage(), e);
    }
  }

  private ClientKey row(ResultSet rows) throws SQLException {
    return new ClientKey(rows.getLong("id"), rows.getString("name"), rows.getString("owner"), rows.getString("sha256"),
        rows.getString("prefix"), fromJson(rows.getString("models")), rows.getInt("requests_per_minute"),
        rows.getLong("tokens_per_day"), instant(rows.getString("expires_at")), rows.getInt("enabled") == 1,
        Instant.parse(rows.getString("created_at")), instant(rows.getString("revoked_at")));
  }

  private static Instant instant(String text) {
    return text == null ? null : Instant.parse(text);
  }

  private String toJson(List<String> models) {
    try {
      return json.writeValueAsString(models);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private List<String> fromJson(String text) {
    try {
      return json.readValue(text, NAMES);
    } catch (JsonProcessingException e) {
      throw new DatabaseException("a key's models are not a JSON list: " + e.getOriginalMessage(), e);
    }
  }
}
