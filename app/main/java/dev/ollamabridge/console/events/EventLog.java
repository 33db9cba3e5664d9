package dev.ollamabridge.console.events;

import dev.ollamabridge.console.store.Database;
import dev.ollamabridge.console.store.DatabaseException;
import dev.ollamabridge.console.store.Retention;
import dev.ollamabridge.logs.LogText;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The audit log: who did what to which target, and when. Also logged, so operators see it live.
 *
 * <p>Its texts often come from outside (a login's user field, a model name a backend listed, an
 * error a backend caused), so each is kept on one line and bounded before it is stored or logged
 * ({@link LogText#oneLine(String, int)}): control and line-breaking characters are written as
 * escapes (a newline as backslash and n), and what passes its field's length is cut with a note of
 * how much was left off.
 */
public final class EventLog {

  private static final Logger log = LoggerFactory.getLogger(EventLog.class);

  /** One entry; {@code actor} is {@code api:<token>}, {@code supervisor}, {@code health} or {@code console}. */
  public record Event(long id, Instant at, String actor, String action, String target, String detail) {}

  /** The table is trimmed after this many new events, not after each: a trim is a scan. */
  private static final int TRIM_EVERY = 100;
  /** The longest actor and action kept: they name who and what, never carry a message. */
  static final int MAX_NAME = 100;
  static final int MAX_TARGET = 200;
  static final int MAX_DETAIL = 2000;

  private final Database database;
  private final Supplier<Retention> retention;
  private final AtomicInteger sinceTrim = new AtomicInteger();

  /** Keeps what {@code retention} says, trimming at start and then now and then as events come. */
  public EventLog(Database database, Supplier<Retention> retention) {
    this.database = database;
    this.retention = retention;
    trim();
  }

  public void record(String actor, String action, String target, String detail) {
    actor = LogText.oneLine(actor, MAX_NAME);
    action = LogText.oneLine(action, MAX_NAME);
    target = LogText.oneLine(target, MAX_TARGET);
    detail = LogText.oneLine(detail, MAX_DETAIL);
    log.info("{} {}{}{}", actor, action, target == null ? "" : " " + target, detail == null ? "" : ": " + detail);
    try (Connection connection = database.connection();
        PreparedStatement insert = connection.prepareStatement(
            "INSERT INTO events (at, actor, action, target, detail) VALUES (?, ?, ?, ?, ?)")) {
      insert.setString(1, Instant.now().toString());
      insert.setString(2, actor);
      insert.setString(3, action);
      insert.setString(4, target);
      insert.setString(5, detail);
      insert.executeUpdate();
    } catch (SQLException e) {
      throw new DatabaseException("could not record event " + action + ": " + e.getMessage(), e);
    }
    if (sinceTrim.incrementAndGet() >= TRIM_EVERY) {
      sinceTrim.set(0);
      trim();
    }
  }

  /** Deletes the events past the retention: beyond its number of rows, or older than its age. */
  public void trim() {
    Retention keep = retention.get();
    try (Connection connection = database.connection();
        PreparedStatement byCount = connection.prepareStatement(
            "DELETE FROM events WHERE id <= (SELECT id FROM events ORDER BY id DESC LIMIT 1 OFFSET ?)");
        PreparedStatement byAge = connection.prepareStatement("DELETE FROM events WHERE at < ?")) {
      byCount.setInt(1, keep.rows());
      byCount.executeUpdate();
      byAge.setString(1, keep.cutoff(Instant.now()).toString());
      byAge.executeUpdate();
    } catch (SQLException e) {
      throw new DatabaseException("could not trim the events: " + e.getMessage(), e);
    }
  }

  /** The newest events first, at most {@code limit}, optionally only those about {@code target}. */
  public List<Event> latest(int limit, String target) {
    return latest(limit, target, null, null);
  }

  /**
   * The newest events first, at most {@code limit}; each filter is optional (null): only those
   * about {@code target}, only those of {@code action}, only those older than event {@code beforeId}
   * (the next page after a page that ended with it).
   */
  public List<Event> latest(int limit, String target, String action, Long beforeId) {
    List<String> where = new ArrayList<>();
    List<Object> args = new ArrayList<>();
    if (target != null) {
      where.add("target = ?");
      args.add(LogText.oneLine(target, MAX_TARGET)); // as it was stored, so that a long or multi-line one is found
    }
    if (action != null) {
      where.add("action = ?");
      args.add(action);
    }
    if (beforeId != null) {
      where.add("id < ?");
      args.add(beforeId);
    }
    args.add(limit);
    String sql = "SELECT * FROM events" + (where.isEmpty() ? "" : " WHERE " + String.join(" AND ", where))
        + " ORDER BY id DESC LIMIT ?";
    return query(sql, args);
  }

  private List<Event> query(String sql, List<Object> args) {
    try (Connection connection = database.connection();
        PreparedStatement query = connection.prepareStatement(sql)) {
      for (int i = 0; i < args.size(); i++) {
        query.setObject(i + 1, args.get(i));
      }
      List<Event> events = new ArrayList<>();
      try (ResultSet rows = query.executeQuery()) {
        while (rows.next()) {
          events.add(new Event(rows.getLong("id"), Instant.parse(rows.getString("at")), rows.getString("actor"),
              rows.getString("action"), rows.getString("target"), rows.getString("detail")));
        }
      }
      return events;
    } catch (SQLException e) {
      throw new DatabaseException("could not read events: " + e.getMessage(), e);
    }
  }

  /**
   * One page of the events a query asks for, newest first.
   *
   * @param more whether there are more in the direction it paged (older, or newer for a query with {@code after})
   */
  public record Page(List<Event> events, boolean more) {}

  /**
   * The events of a query, newest first: a target exactly or a part of it, a text as a part, parts in
   * any case (a target as it was stored, one line and bounded), the times as a half-open range.
   */
  public Page search(EventQuery q) {
    List<String> where = new ArrayList<>();
    List<Object> args = new ArrayList<>();
    if (q.target() != null) {
      where.add("target = ?");
      args.add(LogText.oneLine(q.target(), MAX_TARGET));
    }
    if (q.targetContains() != null) {
      where.add("instr(lower(target), lower(?)) > 0");
      args.add(LogText.oneLine(q.targetContains(), MAX_TARGET));
    }
    if (q.action() != null) {
      where.add("action = ?");
      args.add(q.action());
    }
    if (q.text() != null) {
      where.add("(instr(lower(action), lower(?)) > 0 OR instr(lower(coalesce(detail, '')), lower(?)) > 0)");
      args.add(q.text());
      args.add(q.text());
    }
    // stored as Instant.toString(); a bound cut to whole seconds without its Z is a prefix of every
    // instant of its second, so that text order is time order here
    if (q.from() != null) {
      where.add("at >= ?");
      args.add(secondPrefix(q.from()));
    }
    if (q.to() != null) {
      where.add("at < ?");
      args.add(secondPrefix(q.to()));
    }
    boolean newer = q.after() != null;
    if (q.before() != null) {
      where.add("id < ?");
      args.add(q.before());
    }
    if (newer) {
      where.add("id > ?");
      args.add(q.after());
    }
    args.add(q.limit() + 1);
    String sql = "SELECT * FROM events" + (where.isEmpty() ? "" : " WHERE " + String.join(" AND ", where))
        + " ORDER BY id " + (newer ? "ASC" : "DESC") + " LIMIT ?";
    List<Event> found = query(sql, args);
    boolean more = found.size() > q.limit();
    List<Event> page = new ArrayList<>(found.subList(0, Math.min(q.limit(), found.size())));
    if (newer) {
      java.util.Collections.reverse(page);
    }
    return new Page(page, more);
  }

  private static String secondPrefix(Instant at) {
    String text = at.truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString();
    return text.substring(0, text.length() - 1);
  }

  /** Every action the log holds, by name: the choices of a filter. */
  public List<String> actions() {
    try (Connection connection = database.connection();
        PreparedStatement query = connection.prepareStatement("SELECT DISTINCT action FROM events ORDER BY action");
        ResultSet rows = query.executeQuery()) {
      List<String> actions = new ArrayList<>();
      while (rows.next()) {
        actions.add(rows.getString(1));
      }
      return actions;
    } catch (SQLException e) {
      throw new DatabaseException("could not read the events' actions: " + e.getMessage(), e);
    }
  }
}
