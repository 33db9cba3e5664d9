package dev.ollamabridge.console.settings;

import dev.ollamabridge.console.store.Database;
import dev.ollamabridge.console.store.DatabaseException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code settings} table: stored values over the defaults of {@link Setting}, and over both
 * the operator's values, which are never stored (a row left by an older console is ignored). A
 * secret operator setting is shown as {@value #SET} or {@value #NOT_SET}, its value only through
 * {@link #secret}.
 */
public final class Settings {

  private static final Logger log = LoggerFactory.getLogger(Settings.class);
  private final Database database;
  private final Map<Setting, String> operator;
  /** What {@link #all()} shows for a secret setting instead of its value. */
  public static final String SET = "set";
  public static final String NOT_SET = "not set";

  /** @param operator the operator settings the console was started with; the others keep their defaults */
  public Settings(Database database, Map<Setting, String> operator) {
    operator.keySet().stream().filter(setting -> !setting.operator()).findAny().ifPresent(setting -> {
      throw new IllegalArgumentException(setting.key() + " is not an operator setting");
    });
    this.database = database;
    this.operator = Map.copyOf(operator);
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
        if (setting.isPresent() && !setting.get().operator()) {
          values.put(setting.get(), rows.getString("value"));
        }
      }
    } catch (SQLException e) {
      throw new DatabaseException("could not read settings: " + e.getMessage(), e);
    }
    values.putAll(operator);
    for (Setting setting : Setting.values()) {
      if (setting.secret()) {
        values.put(setting, operator.getOrDefault(setting, "").isEmpty() ? NOT_SET : SET);
      }
    }
    return values;
  }

  /** A secret operator setting's value, which {@link #all()} never shows; empty when it is not set. */
  public Optional<String> secret(Setting setting) {
    if (!setting.secret()) {
      throw new IllegalArgumentException(setting.key() + " is no secret: read it with get");
    }
    return Optional.ofNullable(operator.get(setting)).filter(value -> !value.isEmpty());
  }

  /**
   * Deletes the stored values that break their rule as it reads now (a rule may have tightened since
   * they were stored, or reads an operator setting the console was started with, as the TLS files
   * read nginx.tls_dir): each setting falls back to its default, and a warning names what was dropped.
   * Called once, as the console starts.
   */
  public void dropValuesThatBreakTheirRules() {
    Map<Setting, String> current = all();
    List<Setting> broken = new ArrayList<>();
    for (Map.Entry<Setting, String> entry : current.entrySet()) {
      Setting setting = entry.getKey();
      if (setting.operator()) {
        continue;
      }
      try {
        setting.check(entry.getValue(), current);
      } catch (IllegalArgumentException e) {
        log.warn("the stored {} is dropped: it {}", setting.key(), e.getMessage());
        broken.add(setting);
      }
    }
    if (broken.isEmpty()) {
      return;
    }
    try (Connection connection = database.connection();
        PreparedStatement delete = connection.prepareStatement("DELETE FROM settings WHERE key = ?")) {
      for (Setting setting : broken) {
        delete.setString(1, setting.key());
        delete.addBatch();
      }
      delete.executeBatch();
    } catch (SQLException e) {
      throw new DatabaseException("could not drop settings: " + e.getMessage(), e);
    }
  }

  public String get(Setting setting) {
    return all().get(setting);
  }

  public int integer(Setting setting) {
    return Integer.parseInt(get(setting));
  }

  /** The ports instances may listen on ({@link Setting#INSTANCE_PORTS}). */
  public PortRange instancePorts() {
    return PortRange.parse(get(Setting.INSTANCE_PORTS));
  }

  /** Stores checked values, all or none; operator settings are not for storing. */
  public void putAll(Map<Setting, String> changes) {
    changes.keySet().stream().filter(Setting::operator).findAny().ifPresent(setting -> {
      throw new IllegalArgumentException(setting.key() + " is operator configuration: set it with " + setting.whereSet());
    });
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
