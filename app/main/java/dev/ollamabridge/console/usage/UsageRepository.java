package dev.ollamabridge.console.usage;

import dev.ollamabridge.console.store.Database;
import dev.ollamabridge.console.store.DatabaseException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The usage tables of {@code V11__usage.sql}: hourly rows, and the cursors that say what was counted
 * of each bridge, always written together in one transaction.
 */
public final class UsageRepository {

  private static final String COUNTS = "requests, errors, prompt_tokens, completion_tokens, cache_hits";
  private static final String SUMS = "SUM(u.requests), SUM(u.errors), SUM(u.prompt_tokens), SUM(u.completion_tokens),"
      + " SUM(u.cache_hits)";

  /** Adds counts to an hour's row, making it if it is not there. */
  private static final String ADD_HOURLY = "INSERT INTO usage_hourly (hour, instance_id, instance_name, host, key_id,"
      + " model, " + COUNTS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
      + " ON CONFLICT (hour, instance_id, key_id, model) DO UPDATE SET instance_name = excluded.instance_name,"
      + " host = excluded.host, requests = requests + excluded.requests, errors = errors + excluded.errors,"
      + " prompt_tokens = prompt_tokens + excluded.prompt_tokens,"
      + " completion_tokens = completion_tokens + excluded.completion_tokens, cache_hits = cache_hits + excluded.cache_hits";

  private final Database database;
  private final long originMs;
  /** Whether the keys' table exists (another migration makes it); once it does, it stays. */
  private volatile boolean keysTable;

  public UsageRepository(Database database) {
    this.database = database;
    this.originMs = queryOrigin();
  }

  /** When this database began counting usage, epoch ms. */
  public long originMs() {
    return originMs;
  }

  /**
   * Adds what a scrape of an instance's bridge shows to the hour of {@code at} ({@link UsageIncreases}),
   * and remembers the values as the instance's cursors, in one transaction. Calls for one instance
   * must not overlap (the scraper reads a bridge once at a time).
   */
  public void record(UsageSource source, Instant at, BridgeUsage usage) {
    try (Connection connection = database.connection()) {
      connection.setAutoCommit(false);
      try {
        // a write first, so the transaction holds SQLite's write lock (waiting its busy timeout) before it
        // reads: a read then a write would fail at once if another connection wrote in between
        try (PreparedStatement lock = connection.prepareStatement("UPDATE usage_origin SET started_ms = started_ms")) {
          lock.executeUpdate();
        }
        UsageIncreases.Counted counted = counted(connection, source.instanceId());
        Map<BridgeUsage.Series, UsageCounters> increases = UsageIncreases.of(counted, usage, originMs);
        long hour = at.getEpochSecond() / 3600 * 3600;
        try (PreparedStatement upsert = connection.prepareStatement(ADD_HOURLY)) {
          for (var increase : increases.entrySet()) {
            bindHourly(upsert, hour, source, increase.getKey(), increase.getValue());
            upsert.addBatch();
          }
          upsert.executeBatch();
        }
        remember(connection, source.instanceId(), counted, usage);
        connection.commit();
      } catch (SQLException | RuntimeException e) {
        connection.rollback();
        throw e;
      } finally {
        connection.setAutoCommit(true);
      }
    } catch (SQLException e) {
      throw new DatabaseException("could not record the usage of instance " + source.instanceName() + ": "
          + e.getMessage(), e);
    }
  }

  /** Adds counts to one hourly row (for tests and generated data; scrapes go through {@link #record}). */
  public void add(long hourEpochSecond, UsageSource source, BridgeUsage.Series series, UsageCounters counts) {
    try (Connection connection = database.connection()) {
      add(connection, hourEpochSecond / 3600 * 3600, source, series, counts);
    } catch (SQLException e) {
      throw new DatabaseException("could not add usage: " + e.getMessage(), e);
    }
  }

  /** Deletes the hours before {@code hourEpochSecond}; answers how many rows went. */
  public int pruneBefore(long hourEpochSecond) {
    try (Connection connection = database.connection();
        PreparedStatement delete = connection.prepareStatement("DELETE FROM usage_hourly WHERE hour < ?")) {
      delete.setLong(1, hourEpochSecond);
      return delete.executeUpdate();
    } catch (SQLException e) {
      throw new DatabaseException("could not prune usage: " + e.getMessage(), e);
    }
  }

  /**
   * The counts over {@code [from, to)} (UTC days) grouped by {@code by} (none: one row of the
   * totals), the most requests first.
   */
  public List<UsageRow> grouped(LocalDate from, LocalDate to, List<UsageDimension> by) {
    boolean keyNames = by.contains(UsageDimension.KEY) && keysTable(); // a LEFT JOIN needs the table to exist
    List<String> columns = new ArrayList<>();
    List<String> groups = new ArrayList<>();
    for (UsageDimension dimension : UsageDimension.values()) {
      if (!by.contains(dimension)) {
        columns.add("NULL");
        if (dimension == UsageDimension.KEY) {
          columns.add("NULL");
        }
        continue;
      }
      switch (dimension) {
        case KEY -> {
          columns.add("u.key_id");
          columns.add(keyNames ? "MAX(k.name)" : "NULL");
          groups.add("u.key_id");
        }
        case MODEL -> {
          columns.add("u.model");
          groups.add("u.model");
        }
        case INSTANCE -> {
          columns.add("u.instance_name");
          groups.add("u.instance_id");
          groups.add("u.instance_name");
        }
        case HOST -> {
          columns.add("u.host");
          groups.add("u.host");
        }
      }
    }
    String sql = "SELECT " + String.join(", ", columns) + ", " + SUMS + " FROM usage_hourly u"
        + (keyNames ? " LEFT JOIN client_keys k ON k.id = u.key_id" : "")
        + " WHERE u.hour >= ? AND u.hour < ?"
        + (groups.isEmpty() ? "" : " GROUP BY " + String.join(", ", groups)
            + " ORDER BY SUM(u.requests) DESC, " + String.join(", ", groups));
    try (Connection connection = database.connection();
        PreparedStatement query = connection.prepareStatement(sql)) {
      query.setLong(1, epochSecond(from));
      query.setLong(2, epochSecond(to));
      List<UsageRow> rows = new ArrayList<>();
      try (ResultSet result = query.executeQuery()) {
        while (result.next()) {
          UsageCounters counts = counters(result, 6);
          if (groups.isEmpty() || !counts.isZero()) {
            rows.add(new UsageRow(result.getString(1), result.getString(2), result.getString(3), result.getString(4),
                result.getString(5), counts));
          }
        }
      }
      return rows;
    } catch (SQLException e) {
      throw new DatabaseException("could not read usage: " + e.getMessage(), e);
    }
  }

  /** The cluster's counts per UTC day over {@code [from, to)}, only days that have some. */
  public Map<LocalDate, UsageCounters> days(LocalDate from, LocalDate to) {
    String sql = "SELECT u.hour / 86400 AS day, " + SUMS + " FROM usage_hourly u WHERE u.hour >= ? AND u.hour < ?"
        + " GROUP BY day ORDER BY day";
    try (Connection connection = database.connection();
        PreparedStatement query = connection.prepareStatement(sql)) {
      query.setLong(1, epochSecond(from));
      query.setLong(2, epochSecond(to));
      Map<LocalDate, UsageCounters> days = new LinkedHashMap<>();
      try (ResultSet result = query.executeQuery()) {
        while (result.next()) {
          days.put(LocalDate.ofEpochDay(result.getLong(1)), counters(result, 2));
        }
      }
      return days;
    } catch (SQLException e) {
      throw new DatabaseException("could not read usage by day: " + e.getMessage(), e);
    }
  }

  /** Prompt and completion tokens per key id since {@code fromEpochSecond} (an hour's start). */
  public Map<String, Long> tokensByKeySince(long fromEpochSecond) {
    try (Connection connection = database.connection();
        PreparedStatement query = connection.prepareStatement("SELECT key_id, SUM(prompt_tokens + completion_tokens)"
            + " FROM usage_hourly WHERE hour >= ? GROUP BY key_id")) {
      query.setLong(1, fromEpochSecond);
      Map<String, Long> tokens = new HashMap<>();
      try (ResultSet result = query.executeQuery()) {
        while (result.next()) {
          tokens.put(result.getString(1), result.getLong(2));
        }
      }
      return tokens;
    } catch (SQLException e) {
      throw new DatabaseException("could not read the keys' tokens: " + e.getMessage(), e);
    }
  }

  private static long epochSecond(LocalDate day) {
    return day.atStartOfDay(ZoneOffset.UTC).toEpochSecond();
  }

  private static UsageCounters counters(ResultSet result, int first) throws SQLException {
    return new UsageCounters(result.getLong(first), result.getLong(first + 1), result.getLong(first + 2),
        result.getLong(first + 3), result.getLong(first + 4));
  }

  private static void add(Connection connection, long hour, UsageSource source, BridgeUsage.Series series,
      UsageCounters counts) throws SQLException {
    try (PreparedStatement upsert = connection.prepareStatement(ADD_HOURLY)) {
      bindHourly(upsert, hour, source, series, counts);
      upsert.executeUpdate();
    }
  }

  private static void bindHourly(PreparedStatement upsert, long hour, UsageSource source, BridgeUsage.Series series,
      UsageCounters counts) throws SQLException {
    upsert.setLong(1, hour);
    upsert.setLong(2, source.instanceId());
    upsert.setString(3, source.instanceName());
    upsert.setString(4, source.host());
    upsert.setString(5, series.keyId());
    upsert.setString(6, series.model());
    setCounters(upsert, 7, counts);
  }

  private static UsageIncreases.Counted counted(Connection connection, long instanceId) throws SQLException {
    Long bridgeStartedMs = null;
    try (PreparedStatement query = connection.prepareStatement(
        "SELECT started_ms FROM usage_bridges WHERE instance_id = ?")) {
      query.setLong(1, instanceId);
      try (ResultSet result = query.executeQuery()) {
        if (result.next()) {
          bridgeStartedMs = result.getLong(1);
        }
      }
    }
    if (bridgeStartedMs == null) {
      return UsageIncreases.Counted.NEVER;
    }
    Map<BridgeUsage.Series, UsageIncreases.Cursor> cursors = new HashMap<>();
    try (PreparedStatement query = connection.prepareStatement(
        "SELECT key_id, model, started_ms, " + COUNTS + " FROM usage_cursors WHERE instance_id = ?")) {
      query.setLong(1, instanceId);
      try (ResultSet result = query.executeQuery()) {
        while (result.next()) {
          cursors.put(new BridgeUsage.Series(result.getString(1), result.getString(2)),
              new UsageIncreases.Cursor(result.getLong(3), counters(result, 4)));
        }
      }
    }
    return new UsageIncreases.Counted(bridgeStartedMs, cursors);
  }

  /**
   * Makes the scrape's values the instance's cursors. A new process's cursors replace the old one's
   * (which no later scrape can need), so the table holds one process's series per instance.
   */
  private static void remember(Connection connection, long instanceId, UsageIncreases.Counted counted,
      BridgeUsage usage) throws SQLException {
    boolean newProcess = counted.bridgeStartedMs() == null || counted.bridgeStartedMs() != usage.startedMs();
    if (newProcess) {
      try (PreparedStatement bridge = connection.prepareStatement("INSERT INTO usage_bridges (instance_id, started_ms)"
          + " VALUES (?, ?) ON CONFLICT (instance_id) DO UPDATE SET started_ms = excluded.started_ms");
          PreparedStatement forget = connection.prepareStatement("DELETE FROM usage_cursors WHERE instance_id = ?")) {
        bridge.setLong(1, instanceId);
        bridge.setLong(2, usage.startedMs());
        bridge.executeUpdate();
        forget.setLong(1, instanceId);
        forget.executeUpdate();
      }
    }
    try (PreparedStatement upsert = connection.prepareStatement("INSERT INTO usage_cursors (instance_id, key_id, model,"
        + " started_ms, " + COUNTS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (instance_id, key_id, model)"
        + " DO UPDATE SET started_ms = excluded.started_ms, requests = excluded.requests, errors = excluded.errors,"
        + " prompt_tokens = excluded.prompt_tokens, completion_tokens = excluded.completion_tokens,"
        + " cache_hits = excluded.cache_hits")) {
      for (var series : usage.series().entrySet()) {
        UsageIncreases.Cursor was = newProcess ? null : counted.cursors().get(series.getKey());
        if (was != null && was.startedMs() == usage.startedMs() && was.counters().equals(series.getValue())) {
          continue;
        }
        upsert.setLong(1, instanceId);
        upsert.setString(2, series.getKey().keyId());
        upsert.setString(3, series.getKey().model());
        upsert.setLong(4, usage.startedMs());
        setCounters(upsert, 5, series.getValue());
        upsert.addBatch();
      }
      upsert.executeBatch();
    }
  }

  private static void setCounters(PreparedStatement statement, int first, UsageCounters counts) throws SQLException {
    statement.setLong(first, counts.requests());
    statement.setLong(first + 1, counts.errors());
    statement.setLong(first + 2, counts.promptTokens());
    statement.setLong(first + 3, counts.completionTokens());
    statement.setLong(first + 4, counts.cacheHits());
  }

  private boolean keysTable() {
    if (!keysTable) {
      try (Connection connection = database.connection();
          PreparedStatement query = connection.prepareStatement(
              "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'client_keys'");
          ResultSet result = query.executeQuery()) {
        keysTable = result.next();
      } catch (SQLException e) {
        throw new DatabaseException("could not look for the keys' table: " + e.getMessage(), e);
      }
    }
    return keysTable;
  }

  private long queryOrigin() {
    try (Connection connection = database.connection();
        PreparedStatement query = connection.prepareStatement("SELECT started_ms FROM usage_origin");
        ResultSet result = query.executeQuery()) {
      if (!result.next()) {
        throw new DatabaseException("usage_origin has no row", null);
      }
      return result.getLong(1);
    } catch (SQLException e) {
      throw new DatabaseException("could not read usage_origin: " + e.getMessage(), e);
    }
  }
}
