package dev.ollamabridge.console.health;

import dev.ollamabridge.console.store.Database;
import dev.ollamabridge.console.store.DatabaseException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * The last verdict of each instance's checks, kept across console restarts: a restarted console
 * starts from what it knew, so nginx does not mark healthy bridges down while it checks again.
 */
public final class HealthRecords {

  private final Database database;

  public HealthRecords(Database database) {
    this.database = database;
  }

  public void save(long instanceId, boolean healthy) {
    try (Connection connection = database.connection();
        PreparedStatement upsert = connection.prepareStatement(
            "INSERT INTO instance_health (instance_id, healthy, changed_at) VALUES (?, ?, ?)"
                + " ON CONFLICT (instance_id) DO UPDATE SET healthy = excluded.healthy, changed_at = excluded.changed_at")) {
      upsert.setLong(1, instanceId);
      upsert.setBoolean(2, healthy);
      upsert.setString(3, Instant.now().toString());
      upsert.executeUpdate();
    } catch (SQLException e) {
      if (e.getMessage() != null && e.getMessage().contains("FOREIGN KEY")) {
        return; // the instance was removed meanwhile
      }
      throw new DatabaseException("could not record health of instance " + instanceId + ": " + e.getMessage(), e);
    }
  }

  public Map<Long, Boolean> all() {
    Map<Long, Boolean> verdicts = new HashMap<>();
    try (Connection connection = database.connection();
        PreparedStatement query = connection.prepareStatement("SELECT instance_id, healthy FROM instance_health");
        ResultSet rows = query.executeQuery()) {
      while (rows.next()) {
        verdicts.put(rows.getLong(1), rows.getBoolean(2));
      }
      return verdicts;
    } catch (SQLException e) {
      throw new DatabaseException("could not read health records: " + e.getMessage(), e);
    }
  }
}
