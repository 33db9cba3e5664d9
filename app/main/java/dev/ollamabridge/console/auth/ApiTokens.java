package dev.ollamabridge.console.auth;

import dev.ollamabridge.console.store.Database;
import dev.ollamabridge.console.store.DatabaseException;
import dev.ollamabridge.digest.Sha256;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Bearer tokens for the REST API. A token is 32 random bytes; only its SHA-256 is stored (a token
 * has far more entropy than a password, so a slow hash would add nothing but latency).
 */
public final class ApiTokens {

  public static final String NAME_RULE = "a token's name is 1 to 63 of a-z, 0-9, '.', '_' and '-', starting with a letter or digit";
  private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,62}");
  private static final String PREFIX = "obt_";
  /** A token's last use is written at most this often: every API request checks a token. */
  private static final Duration LAST_USED_PRECISION = Duration.ofMinutes(1);

  private final Database database;
  private final Clock clock;
  private final SecureRandom random = new SecureRandom();

  public ApiTokens(Database database, Clock clock) {
    this.database = database;
    this.clock = clock;
  }

  public ApiTokens(Database database) {
    this(database, Clock.systemUTC());
  }

  /**
   * Creates a token and answers it in clear: the only time it is ever seen. {@link InvalidName}
   * when the name breaks {@link #NAME_RULE}, {@link NameTaken} when another token has it.
   */
  public String create(String name) {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new InvalidName(NAME_RULE);
    }
    byte[] bytes = new byte[32];
    random.nextBytes(bytes);
    String token = PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    try (Connection connection = database.connection();
        PreparedStatement insert = connection.prepareStatement(
            "INSERT INTO api_tokens (name, token_hash, created_at) VALUES (?, ?, ?)")) {
      insert.setString(1, name);
      insert.setString(2, Sha256.hex(token));
      insert.setString(3, clock.instant().toString());
      insert.executeUpdate();
    } catch (SQLException e) {
      if (String.valueOf(e.getMessage()).contains("UNIQUE constraint failed: api_tokens.name")) {
        throw new NameTaken("another token is named " + name);
      }
      throw new DatabaseException("could not create token " + name + ": " + e.getMessage(), e);
    }
    return token;
  }

  public boolean none() {
    try (Connection connection = database.connection();
        PreparedStatement query = connection.prepareStatement("SELECT COUNT(*) FROM api_tokens");
        ResultSet rows = query.executeQuery()) {
      return rows.next() && rows.getLong(1) == 0;
    } catch (SQLException e) {
      throw new DatabaseException("could not count tokens: " + e.getMessage(), e);
    }
  }

  /** Every token, by name. */
  public List<ApiToken> list() {
    try (Connection connection = database.connection();
        PreparedStatement query = connection.prepareStatement(
            "SELECT id, name, created_at, last_used_at FROM api_tokens ORDER BY name");
        ResultSet rows = query.executeQuery()) {
      List<ApiToken> tokens = new ArrayList<>();
      while (rows.next()) {
        String lastUsed = rows.getString("last_used_at");
        tokens.add(new ApiToken(rows.getLong("id"), rows.getString("name"), Instant.parse(rows.getString("created_at")),
            lastUsed == null ? null : Instant.parse(lastUsed)));
      }
      return tokens;
    } catch (SQLException e) {
      throw new DatabaseException("could not list tokens: " + e.getMessage(), e);
    }
  }

  /** Deletes a token, which stops working at once; answers whether there was one with this id. */
  public boolean revoke(long id) {
    try (Connection connection = database.connection();
        PreparedStatement delete = connection.prepareStatement("DELETE FROM api_tokens WHERE id = ?")) {
      delete.setLong(1, id);
      return delete.executeUpdate() > 0;
    } catch (SQLException e) {
      throw new DatabaseException("could not revoke token " + id + ": " + e.getMessage(), e);
    }
  }

  /** The name of the token's owner, if the token is valid; notes when it was used (to the minute). */
  public Optional<String> verify(String token) {
    if (token == null || !token.startsWith(PREFIX)) {
      return Optional.empty();
    }
    try (Connection connection = database.connection();
        PreparedStatement query = connection.prepareStatement(
            "SELECT id, name, last_used_at FROM api_tokens WHERE token_hash = ?")) {
      query.setString(1, Sha256.hex(token));
      try (ResultSet rows = query.executeQuery()) {
        if (!rows.next()) {
          return Optional.empty();
        }
        String lastUsed = rows.getString("last_used_at");
        Instant now = clock.instant();
        if (lastUsed == null || !Instant.parse(lastUsed).plus(LAST_USED_PRECISION).isAfter(now)) {
          markUsed(connection, rows.getLong("id"), now);
        }
        return Optional.of(rows.getString("name"));
      }
    } catch (SQLException e) {
      throw new DatabaseException("could not check a token: " + e.getMessage(), e);
    }
  }

  private static void markUsed(Connection connection, long id, Instant now) throws SQLException {
    try (PreparedStatement update = connection.prepareStatement("UPDATE api_tokens SET last_used_at = ? WHERE id = ?")) {
      update.setString(1, now.toString());
      update.setLong(2, id);
      update.executeUpdate();
    }
  }

  /** A name that breaks {@link #NAME_RULE}: 400 on the field {@code name}. */
  public static final class InvalidName extends RuntimeException {
    InvalidName(String message) {
      super(message, null, false, false);
    }

    public String field() {
      return "name";
    }
  }

  /** A name another token has: 409 on the field {@code name}. */
  public static final class NameTaken extends RuntimeException {
    NameTaken(String message) {
      super(message, null, false, false);
    }

    public String field() {
      return "name";
    }
  }
}
