package dev.ollamabridge.console.alerts;

import dev.ollamabridge.console.store.Database;
import dev.ollamabridge.console.store.DatabaseException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The alerts' tables in plain SQL: webhooks, rules (one row per kind that left its defaults), deliveries. */
final class AlertStore {

  /** The deliveries kept; older ones are deleted as new ones come. */
  static final int KEEP_DELIVERIES = 1000;

  private final Database database;

  AlertStore(Database database) {
    this.database = database;
  }

  List<Webhook> webhooks() {
    List<Webhook> all = new ArrayList<>();
    try (Connection c = database.connection();
        PreparedStatement query = c.prepareStatement("SELECT * FROM alert_webhooks ORDER BY id");
        ResultSet rows = query.executeQuery()) {
      while (rows.next()) {
        all.add(webhook(rows));
      }
      return all;
    } catch (SQLException e) {
      throw new DatabaseException("could not read the webhooks: " + e.getMessage(), e);
    }
  }

  Optional<Webhook> webhook(long id) {
    return webhooks().stream().filter(w -> w.id() == id).findFirst();
  }

  Webhook addWebhook(String name, String url, String format, boolean enabled, Instant at) {
    try (Connection c = database.connection();
        PreparedStatement insert = c.prepareStatement(
            "INSERT INTO alert_webhooks (name, url, format, enabled, created_at) VALUES (?, ?, ?, ?, ?)",
            Statement.RETURN_GENERATED_KEYS)) {
      insert.setString(1, name);
      insert.setString(2, url);
      insert.setString(3, format);
      insert.setInt(4, enabled ? 1 : 0);
      insert.setString(5, at.toString());
      insert.executeUpdate();
      try (ResultSet keys = insert.getGeneratedKeys()) {
        keys.next();
        return new Webhook(keys.getLong(1), name, url, format, enabled, at);
      }
    } catch (SQLException e) {
      throw new DatabaseException("could not add webhook " + name + ": " + e.getMessage(), e);
    }
  }

  void updateWebhook(Webhook webhook) {
    update("UPDATE alert_webhooks SET name = ?, url = ?, format = ?, enabled = ? WHERE id = ?",
        webhook.name(), webhook.url(), webhook.format(), webhook.enabled() ? 1 : 0, webhook.id());
  }

  boolean deleteWebhook(long id) {
    return update("DELETE FROM alert_webhooks WHERE id = ?", id) > 0;
  }

  /** Every kind's rule: as stored, or its defaults. */
  Map<AlertKind, Rule> rules() {
    Map<AlertKind, Rule> rules = new EnumMap<>(AlertKind.class);
    for (AlertKind kind : AlertKind.values()) {
      rules.put(kind, kind.defaults());
    }
    try (Connection c = database.connection();
        PreparedStatement query = c.prepareStatement("SELECT * FROM alert_rules");
        ResultSet rows = query.executeQuery()) {
      while (rows.next()) {
        AlertKind.of(rows.getString("kind")).ifPresent(kind -> rules.put(kind, rule(kind, rows)));
      }
      return rules;
    } catch (SQLException e) {
      throw new DatabaseException("could not read the alert rules: " + e.getMessage(), e);
    }
  }

  void saveRules(List<Rule> rules) {
    try (Connection c = database.connection();
        PreparedStatement upsert = c.prepareStatement("INSERT INTO alert_rules (kind, enabled, threshold, minutes) "
            + "VALUES (?, ?, ?, ?) ON CONFLICT (kind) DO UPDATE SET enabled = excluded.enabled, "
            + "threshold = excluded.threshold, minutes = excluded.minutes")) {
      c.setAutoCommit(false);
      for (Rule rule : rules) {
        upsert.setString(1, rule.kind().word());
        upsert.setInt(2, rule.enabled() ? 1 : 0);
        upsert.setObject(3, rule.threshold(), Types.REAL);
        upsert.setObject(4, rule.minutes(), Types.INTEGER);
        upsert.executeUpdate();
      }
      c.commit();
    } catch (SQLException e) {
      throw new DatabaseException("could not save the alert rules: " + e.getMessage(), e);
    }
  }

  List<AlertService.Firing> firing() {
    List<AlertService.Firing> all = new ArrayList<>();
    try (Connection c = database.connection();
        PreparedStatement query = c.prepareStatement("SELECT * FROM alert_firing ORDER BY since");
        ResultSet rows = query.executeQuery()) {
      while (rows.next()) {
        String subject = rows.getString("subject");
        String message = rows.getString("message");
        Instant since = Instant.parse(rows.getString("since"));
        AlertKind.of(rows.getString("kind")).ifPresent(kind -> all.add(new AlertService.Firing(kind, subject, message, since)));
      }
      return all;
    } catch (SQLException e) {
      throw new DatabaseException("could not read the alerts that fire: " + e.getMessage(), e);
    }
  }

  void fires(AlertService.Firing firing) {
    update("INSERT OR REPLACE INTO alert_firing (kind, subject, message, since) VALUES (?, ?, ?, ?)",
        firing.kind().word(), firing.subject(), firing.message(), firing.since().toString());
  }

  void resolved(AlertKind kind, String subject) {
    update("DELETE FROM alert_firing WHERE kind = ? AND subject = ?", kind.word(), subject);
  }

  void resolvedAll(AlertKind kind) {
    update("DELETE FROM alert_firing WHERE kind = ?", kind.word());
  }

  /** A new delivery, pending, and the oldest ones past {@link #KEEP_DELIVERIES} deleted. */
  long addDelivery(Webhook webhook, Alert alert, String summary) {
    try (Connection c = database.connection();
        PreparedStatement insert = c.prepareStatement("INSERT INTO alert_deliveries (webhook_id, webhook_name, kind, "
            + "state, subject, summary, status, attempts, at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 'pending', 0, ?, ?)",
            Statement.RETURN_GENERATED_KEYS);
        PreparedStatement trim = c.prepareStatement("DELETE FROM alert_deliveries WHERE id <= "
            + "(SELECT id FROM alert_deliveries ORDER BY id DESC LIMIT 1 OFFSET ?)")) {
      String now = Instant.now().toString();
      insert.setLong(1, webhook.id());
      insert.setString(2, webhook.name());
      insert.setString(3, alert.kind());
      insert.setString(4, alert.state().word());
      insert.setString(5, alert.subject());
      insert.setString(6, summary);
      insert.setString(7, now);
      insert.setString(8, now);
      insert.executeUpdate();
      long id;
      try (ResultSet keys = insert.getGeneratedKeys()) {
        keys.next();
        id = keys.getLong(1);
      }
      trim.setInt(1, KEEP_DELIVERIES);
      trim.executeUpdate();
      return id;
    } catch (SQLException e) {
      throw new DatabaseException("could not record a delivery: " + e.getMessage(), e);
    }
  }

  void attempted(long delivery, String status, int attempts, Integer lastStatus, String lastError) {
    update("UPDATE alert_deliveries SET status = ?, attempts = ?, last_status = ?, last_error = ?, updated_at = ? "
        + "WHERE id = ?", status, attempts, lastStatus, lastError, Instant.now().toString(), delivery);
  }

  /** Deliveries a console stopped in the middle of: no one will try them again. */
  void abandonPending(String why) {
    update("UPDATE alert_deliveries SET status = 'failed', last_error = ?, updated_at = ? WHERE status = 'pending'",
        why, Instant.now().toString());
  }

  /** The newest deliveries first. */
  List<Delivery> deliveries(int limit) {
    List<Delivery> all = new ArrayList<>();
    try (Connection c = database.connection();
        PreparedStatement query = c.prepareStatement("SELECT * FROM alert_deliveries ORDER BY id DESC LIMIT ?")) {
      query.setInt(1, limit);
      try (ResultSet rows = query.executeQuery()) {
        while (rows.next()) {
          all.add(new Delivery(rows.getLong("id"), rows.getLong("webhook_id"), rows.getString("webhook_name"),
              rows.getString("kind"), rows.getString("state"), rows.getString("subject"), rows.getString("summary"),
              rows.getString("status"), rows.getInt("attempts"), (Integer) rows.getObject("last_status"),
              rows.getString("last_error"), Instant.parse(rows.getString("at")), Instant.parse(rows.getString("updated_at"))));
        }
      }
      return all;
    } catch (SQLException e) {
      throw new DatabaseException("could not read the deliveries: " + e.getMessage(), e);
    }
  }

  private int update(String sql, Object... args) {
    try (Connection c = database.connection();
        PreparedStatement update = c.prepareStatement(sql)) {
      for (int i = 0; i < args.length; i++) {
        update.setObject(i + 1, args[i]);
      }
      return update.executeUpdate();
    } catch (SQLException e) {
      throw new DatabaseException("could not change the alerts' tables: " + e.getMessage(), e);
    }
  }

  private static Webhook webhook(ResultSet row) throws SQLException {
    return new Webhook(row.getLong("id"), row.getString("name"), row.getString("url"), row.getString("format"),
        row.getInt("enabled") == 1, Instant.parse(row.getString("created_at")));
  }

  private static Rule rule(AlertKind kind, ResultSet row) {
    try {
      Rule defaults = kind.defaults();
      double threshold = row.getDouble("threshold");
      Double stored = row.wasNull() ? null : threshold;
      int minutes = row.getInt("minutes");
      Integer storedMinutes = row.wasNull() ? null : minutes;
      return new Rule(kind, row.getInt("enabled") == 1,
          kind.takesThreshold() ? (stored != null ? stored : defaults.threshold()) : null,
          kind.takesMinutes() ? (storedMinutes != null ? storedMinutes : defaults.minutes()) : null);
    } catch (SQLException e) {
      throw new DatabaseException("could not read an alert rule: " + e.getMessage(), e);
    }
  }
}
