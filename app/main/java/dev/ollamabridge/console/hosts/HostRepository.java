package dev.ollamabridge.console.hosts;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ollamabridge.console.store.Database;
import dev.ollamabridge.console.store.DatabaseException;
import dev.ollamabridge.link.EdgeReport;
import dev.ollamabridge.link.HostFacts;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Plain SQL over the {@code hosts} table. */
final class HostRepository {

  private final Database database;
  private final ObjectMapper json;

  HostRepository(Database database, ObjectMapper json) {
    this.database = database;
    this.json = json;
  }

  List<Host> all() {
    return query("SELECT * FROM hosts ORDER BY name = 'local' DESC, name", null);
  }

  Optional<Host> find(String name) {
    return query("SELECT * FROM hosts WHERE name = ?", name).stream().findFirst();
  }

  /** A host that joined (or joined again after it was revoked): not ready until its first report. */
  void joined(String name, String advertise, String version, String certSha256, Instant certExpiresAt, Instant now) {
    update("""
        INSERT INTO hosts (name, advertise, state, joined_at, changed_at, version, cert_sha256, cert_expires_at)
        VALUES (?, ?, 'not_ready', ?, ?, ?, ?, ?)
        ON CONFLICT (name) DO UPDATE SET advertise = excluded.advertise, state = 'not_ready',
            joined_at = excluded.joined_at, changed_at = excluded.changed_at, version = excluded.version,
            cert_sha256 = excluded.cert_sha256, cert_expires_at = excluded.cert_expires_at, facts = NULL,
            last_report_at = NULL, applied_revision = 0,
            edge_report = NULL""",
        name, advertise, now.toString(), now.toString(), version, certSha256, certExpiresAt.toString());
  }

  void state(String name, HostState state, Instant now) {
    update("UPDATE hosts SET state = ?, changed_at = ? WHERE name = ?", state.key(), now.toString(), name);
  }

  void reported(String name, HostFacts facts, long applied, Instant at) {
    update("UPDATE hosts SET facts = ?, version = ?, advertise = ?, applied_revision = ?, last_report_at = ? WHERE name = ?",
        toJson(facts), facts.version(), facts.advertise(), applied, at.toString(), name);
  }

  void desired(String name, long revision, String hash) {
    update("UPDATE hosts SET desired_revision = ?, desired_hash = ? WHERE name = ?", revision, hash, name);
  }

  void edge(String name, boolean edge, String listen) {
    update("UPDATE hosts SET edge = ?, edge_listen = ? WHERE name = ?", edge ? 1 : 0, listen, name);
  }

  void edgeReport(String name, EdgeReport report) {
    update("UPDATE hosts SET edge_report = ? WHERE name = ?", toJson(report), name);
  }

  private List<Host> query(String sql, String name) {
    try (Connection connection = database.connection(); PreparedStatement query = connection.prepareStatement(sql)) {
      if (name != null) {
        query.setString(1, name);
      }
      List<Host> hosts = new ArrayList<>();
      try (ResultSet rows = query.executeQuery()) {
        while (rows.next()) {
          hosts.add(new Host(rows.getString("name"), rows.getString("advertise"),
              HostState.ofKey(rows.getString("state")), instant(rows, "joined_at"), instant(rows, "changed_at"),
              instant(rows, "last_report_at"), rows.getString("version"), fromJson(rows.getString("facts"), HostFacts.class),
              rows.getString("cert_sha256"), instant(rows, "cert_expires_at"), rows.getLong("desired_revision"),
              rows.getString("desired_hash"), rows.getLong("applied_revision"), rows.getBoolean("edge"),
              rows.getString("edge_listen"), fromJson(rows.getString("edge_report"), EdgeReport.class)));
        }
      }
      return hosts;
    } catch (SQLException e) {
      throw new DatabaseException("could not read hosts: " + e.getMessage(), e);
    }
  }

  private void update(String sql, Object... values) {
    try (Connection connection = database.connection(); PreparedStatement statement = connection.prepareStatement(sql)) {
      for (int i = 0; i < values.length; i++) {
        statement.setObject(i + 1, values[i]);
      }
      statement.executeUpdate();
    } catch (SQLException e) {
      throw new DatabaseException("could not change hosts: " + e.getMessage(), e);
    }
  }

  private static Instant instant(ResultSet rows, String column) throws SQLException {
    String value = rows.getString(column);
    return value == null ? null : Instant.parse(value);
  }

  private String toJson(Object value) {
    try {
      return value == null ? null : json.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private <T> T fromJson(String value, Class<T> type) {
    try {
      return value == null ? null : json.readValue(value, type);
    } catch (JsonProcessingException e) {
      return null; // facts and edge reports are for display; an unreadable row shows none
    }
  }
}
