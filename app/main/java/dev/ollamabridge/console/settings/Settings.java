package dev.ollamabridge.console.settings;

import dev.ollamabridge.console.store.Database;
import dev.ollamabridge.console.store.DatabaseException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;

/** The {@code settings} table: stored values over the defaults of {@link Setting}. */
public final class Settings {

  private final Database database;

  public Settings(Database database) {
    this.database = database;
  }

  /** Every setting with its current value. */
  public Map<Setting, String> all() {
    Map<Setting, String> values = new EnumMap<>(Setting.class);
    for (Setting setting : Setting.values()) {
      values.put(setting, setting.defaultValue());
    }
    try (Connection connection = database.connection();
        PreparedStatement query = connection.prepareStatement("SELECT key, value FROM settings");
        ResultSet rows = query.executeQuery()) {
      while (rows.next()) {
        Optional<Setting> setting = Setting.byKey(rows.getString("key"));
        if (setting.isPresent()) {
          values.put(setting.get(), rows.getString("value"));
        }
      }
    } catch (SQLException e) {
      throw new DatabaseException("could not read settings: " + e.getMessage(), e);
    }
    return values;
  }

  public String get(Setting setting) {
    return all().get(setting);
  }

  public int integer(Setting setting) {
    return Integer.parseInt(get(setting));
  }

  /** Stores checked values, all or none. */
  public void putAll(Map<Setting, String> changes) {
    String now = Instant.now().toString();
    try (Connection connection = database.connection()) {
      connection.setAutoCommit(false);
      try (PreparedStatement upsert = connection.prepareStatement(
          "INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?)"
              + " ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at")) {
        for (Map.Entry<Setting, String> change : changes.entrySet()) {
          upsert.setString(1, change.getKey().key());
          upsert.setString(2, change.getValue());
          upsert.setString(3, now);
          upsert.addBatch();
        }
        upsert.executeBatch();
        connection.commit();
      } catch (SQLException e) {
        connection.rollback();
        throw e;
      } finally {
        connection.setAutoCommit(true);
      }
    } catch (SQLException e) {
      throw new DatabaseException("could not store settings: " + e.getMessage(), e);
    }
  }
}
