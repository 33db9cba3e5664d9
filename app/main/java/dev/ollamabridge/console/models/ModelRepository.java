package dev.ollamabridge.console.models;

import dev.ollamabridge.console.store.Database;
import dev.ollamabridge.console.store.DatabaseException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;

/** Plain SQL over {@code instance_models}: what each instance's bridge listed when last asked. */
public final class ModelRepository {

  /** A model name an instance's bridge listed, and when it last did. */
  public record Seen(String name, Instant seenAt) {}

  private final Database database;

  public ModelRepository(Database database) {
    this.database = database;
  }

  /** Every instance's discovered models, by instance id, names in order. */
  public Map<Long, List<Seen>> all() {
    Map<Long, List<Seen>> seen = new HashMap<>();
    try (Connection connection = database.connection();
        PreparedStatement query = connection.prepareStatement(
            "SELECT instance_id, name, seen_at FROM instance_models ORDER BY instance_id, name");
        ResultSet rows = query.executeQuery()) {
      while (rows.next()) {
        seen.computeIfAbsent(rows.getLong(1), id -> new ArrayList<>())
            .add(new Seen(rows.getString(2), Instant.parse(rows.getString(3))));
      }
      return seen;
    } catch (SQLException e) {
      throw new DatabaseException("could not read the discovered models: " + e.getMessage(), e);
    }
  }

  /** The names one instance's bridge listed when last asked. */
  public SortedSet<String> names(long instanceId) {
    SortedSet<String> names = new TreeSet<>();
    try (Connection connection = database.connection();
        PreparedStatement query = connection.prepareStatement("SELECT name FROM instance_models WHERE instance_id = ?")) {
      query.setLong(1, instanceId);
      try (ResultSet rows = query.executeQuery()) {
        while (rows.next()) {
          names.add(rows.getString(1));
        }
      }
      return names;
    } catch (SQLException e) {
      throw new DatabaseException("could not read the models of instance " + instanceId + ": " + e.getMessage(), e);
    }
  }

  /** Makes {@code names} the instance's models, seen at {@code at}; names no longer listed go. */
  public void replace(long instanceId, Collection<String> names, Instant at) {
    try (Connection connection = database.connection()) {
      connection.setAutoCommit(false);
      try (PreparedStatement delete = connection.prepareStatement("DELETE FROM instance_models WHERE instance_id = ?");
          PreparedStatement insert = connection.prepareStatement(
              "INSERT INTO instance_models (instance_id, name, seen_at) VALUES (?, ?, ?)")) {
        delete.setLong(1, instanceId);
        delete.executeUpdate();
        for (String name : names) {
          insert.setLong(1, instanceId);
          insert.setString(2, name);
          insert.setString(3, at.toString());
          insert.addBatch();
        }
        insert.executeBatch();
        connection.commit();
      } catch (SQLException e) {
        connection.rollback();
        throw e;
      } finally {
        connection.setAutoCommit(true);
      }
    } catch (SQLException e) {
      throw new DatabaseException("could not store the models of instance " + instanceId + ": " + e.getMessage(), e);
    }
  }
}
