package dev.ollamabridge.console.instances;

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
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/** Plain SQL over the {@code instances} table. */
public final class InstanceRepository {

  private static final String COLUMNS = """
      name, host, listen_host, port, upstream_url, upstream_dialect, weight, role, max_fails, fail_timeout_s,
      cache_enabled, cache_dir, shared_mode, upstream_api_key, client_keys, rate_limit, think_filter,
      enabled, managed, allowed_origins, models, model_aliases, max_concurrent, queue_size, queue_timeout_ms,
      log_bodies""";
  /** One {@code ?} per column of {@link #COLUMNS}, in {@link #bind}'s order. */
  private static final String MARKS = String.join(", ", Collections.nCopies(COLUMNS.split(",").length, "?"));

  private final Database database;
  private final ObjectMapper json;

  /** @param json the process's mapper, for the list columns (JSON arrays) */
  public InstanceRepository(Database database, ObjectMapper json) {
    this.database = database;
    this.json = json;
  }

  public List<Instance> all() {
    try (Connection connection = database.connection();
        PreparedStatement query = connection.prepareStatement("SELECT * FROM instances ORDER BY id")) {
      return rows(query.executeQuery());
    } catch (SQLException e) {
      throw new DatabaseException("could not list instances: " + e.getMessage(), e);
    }
  }

  public Optional<Instance> find(long id) {
    try (Connection connection = database.connection();
        PreparedStatement query = connection.prepareStatement("SELECT * FROM instances WHERE id = ?")) {
      query.setLong(1, id);
      return rows(query.executeQuery()).stream().findFirst();
    } catch (SQLException e) {
      throw new DatabaseException("could not read instance " + id + ": " + e.getMessage(), e);
    }
  }

  /** Inserts a new row; the id, version and times of {@code draft} are ignored. */
  public Instance insert(Instance draft) {
    String now = Instant.now().toString();
    try (Connection connection = database.connection();
        PreparedStatement insert = connection.prepareStatement(
            "INSERT INTO instances (" + COLUMNS + ", version, created_at, updated_at)"
                + " VALUES (" + MARKS + ", 1, ?, ?)",
            Statement.RETURN_GENERATED_KEYS)) {
      int next = bind(insert, draft);
      insert.setString(next, now);
      insert.setString(next + 1, now);
      insert.executeUpdate();
      try (ResultSet keys = insert.getGeneratedKeys()) {
        keys.next();
        return find(keys.getLong(1)).orElseThrow();
      }
    } catch (SQLException e) {
      throw translate(e, "could not add instance " + draft.name());
    }
  }

  /**
   * Writes {@code changed} if the row still has {@code changed.version()}; answers the stored row
   * (with the next version), or empty when someone else changed it first.
   */
  public Optional<Instance> update(Instance changed) {
    try (Connection connection = database.connection();
        PreparedStatement update = connection.prepareStatement(
            "UPDATE instances SET (" + COLUMNS + ", version, updated_at)"
                + " = (" + MARKS + ", version + 1, ?)"
                + " WHERE id = ? AND version = ?")) {
      int next = bind(update, changed);
      update.setString(next, Instant.now().toString());
      update.setLong(next + 1, changed.id());
      update.setLong(next + 2, changed.version());
      return update.executeUpdate() == 1 ? find(changed.id()) : Optional.empty();
    } catch (SQLException e) {
      throw translate(e, "could not change instance " + changed.name());
    }
  }

  /** Deletes the row if it still has {@code version}; answers whether it did. */
  public boolean delete(long id, long version) {
    try (Connection connection = database.connection();
        PreparedStatement delete = connection.prepareStatement("DELETE FROM instances WHERE id = ? AND version = ?")) {
      delete.setLong(1, id);
      delete.setLong(2, version);
      return delete.executeUpdate() == 1;
    } catch (SQLException e) {
      throw new DatabaseException("could not delete instance " + id + ": " + e.getMessage(), e);
    }
  }

  private int bind(PreparedStatement statement, Instance instance) throws SQLException {
    int i = 1;
    statement.setString(i++, instance.name());
    statement.setString(i++, instance.host());
    statement.setString(i++, instance.listenHost());
    statement.setInt(i++, instance.port());
    statement.setString(i++, instance.upstreamUrl());
    statement.setString(i++, instance.upstreamDialect());
    statement.setInt(i++, instance.weight());
    statement.setString(i++, instance.role());
    statement.setInt(i++, instance.maxFails());
    statement.setInt(i++, instance.failTimeoutSeconds());
    statement.setBoolean(i++, instance.cacheEnabled());
    statement.setString(i++, instance.cacheDir());
    statement.setBoolean(i++, instance.sharedMode());
    statement.setString(i++, instance.upstreamApiKey());
    statement.setString(i++, toJson(instance.clientKeys()));
    statement.setInt(i++, instance.rateLimit());
    statement.setBoolean(i++, instance.thinkFilter());
    statement.setBoolean(i++, instance.enabled());
    statement.setBoolean(i++, instance.managed());
    statement.setString(i++, toJson(instance.allowedOrigins()));
    statement.setString(i++, toJson(instance.models()));
    statement.setString(i++, toJson(instance.modelAliases()));
    statement.setInt(i++, instance.maxConcurrent());
    statement.setInt(i++, instance.queueSize());
    statement.setInt(i++, instance.queueTimeoutMs());
    statement.setBoolean(i++, instance.logBodies());
    return i;
  }

  private List<Instance> rows(ResultSet rows) throws SQLException {
    List<Instance> instances = new ArrayList<>();
    try (rows) {
      while (rows.next()) {
        instances.add(new Instance(
            rows.getLong("id"),
            rows.getString("name"),
            rows.getString("host"),
            rows.getString("listen_host"),
            rows.getInt("port"),
            rows.getString("upstream_url"),
            rows.getString("upstream_dialect"),
            rows.getInt("weight"),
            rows.getString("role"),
            rows.getInt("max_fails"),
            rows.getInt("fail_timeout_s"),
            rows.getBoolean("cache_enabled"),
            rows.getString("cache_dir"),
            rows.getBoolean("shared_mode"),
            rows.getString("upstream_api_key"),
            fromJson(rows.getString("client_keys")),
            rows.getInt("rate_limit"),
            rows.getBoolean("think_filter"),
            rows.getBoolean("enabled"),
            rows.getBoolean("managed"),
            fromJson(rows.getString("allowed_origins")),
            fromJson(rows.getString("models")),
            fromJson(rows.getString("model_aliases")),
            rows.getInt("max_concurrent"),
            rows.getInt("queue_size"),
            rows.getInt("queue_timeout_ms"),
            rows.getBoolean("log_bodies"),
            rows.getLong("version"),
            Instant.parse(rows.getString("created_at")),
            Instant.parse(rows.getString("updated_at"))));
      }
    }
    return instances;
  }

  /** A broken unique rule is a conflict the user can fix; say which one. */
  private static RuntimeException translate(SQLException e, String what) {
    String message = e.getMessage() == null ? "" : e.getMessage();
    if (message.contains("UNIQUE constraint failed")) {
      String field = message.contains("instances.name") ? "name"
          : message.contains("instances.cache_dir") ? "cache_dir"
          : message.contains("instances.listen_host") || message.contains("instances.port") ? "port" : null;
      return new InstanceConflict(field, switch (field == null ? "" : field) {
        case "name" -> "the name is taken by another instance";
        case "cache_dir" -> "the cache directory is used by another instance";
        case "port" -> "the port is taken by another instance on this address";
        default -> "another instance has the same values";
      });
    }
    return new DatabaseException(what + ": " + message, e);
  }

  private String toJson(List<String> values) {
    try {
      return json.writeValueAsString(values);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private List<String> fromJson(String text) {
    try {
      return json.readValue(text, new TypeReference<List<String>>() {});
    } catch (JsonProcessingException e) {
      throw new DatabaseException("a list column is not a JSON array: " + e.getOriginalMessage(), e);
    }
  }
}
