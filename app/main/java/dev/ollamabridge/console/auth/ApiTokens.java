package dev.ollamabridge.console.auth;

import dev.ollamabridge.console.store.Database;
import dev.ollamabridge.digest.Sha256;
import dev.ollamabridge.console.store.DatabaseException;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;

/**
 * Bearer tokens for the REST API. A token is 32 random bytes; only its SHA-256 is stored (a token
 * has far more entropy than a password, so a slow hash would add nothing but latency).
 */
public final class ApiTokens {

  private static final String PREFIX = "obt_";
  private final Database database;
  private final SecureRandom random = new SecureRandom();

  public ApiTokens(Database database) {
    this.database = database;
  }

  /** Creates a token and answers it in clear: the only time it is ever seen. */
  public String create(String name) {
    byte[] bytes = new byte[32];
    random.nextBytes(bytes);
    String token = PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    try (Connection connection = database.connection();
        PreparedStatement insert = connection.prepareStatement(
            "INSERT INTO api_tokens (name, token_hash, created_at) VALUES (?, ?, ?)")) {
      insert.setString(1, name);
      insert.setString(2, Sha256.hex(token));
      insert.setString(3, Instant.now().toString());
      insert.executeUpdate();
    } catch (SQLException e) {
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

  /** The name of the token's owner, if the token is valid. */
  public Optional<String> verify(String token) {
    if (token == null || !token.startsWith(PREFIX)) {
      return Optional.empty();
    }
    try (Connection connection = database.connection();
        PreparedStatement query = connection.prepareStatement("SELECT name FROM api_tokens WHERE token_hash = ?")) {
      query.setString(1, Sha256.hex(token));
      try (ResultSet rows = query.executeQuery()) {
        return rows.next() ? Optional.of(rows.getString(1)) : Optional.empty();
      }
    } catch (SQLException e) {
      throw new DatabaseException("could not check a token: " + e.getMessage(), e);
    }
  }
}
