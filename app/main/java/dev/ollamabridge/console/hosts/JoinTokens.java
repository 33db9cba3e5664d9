package dev.ollamabridge.console.hosts;

import dev.ollamabridge.console.store.Database;
import dev.ollamabridge.console.store.DatabaseException;
import dev.ollamabridge.digest.Sha256;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * One-time join tokens, kubeadm's shape: {@code <id>.<secret>}, 6 and 32 characters of {@code [a-z0-9]}
 * (165 bits of secret). The id finds the row; only the secret's SHA-256 is kept, and the whole token
 * is shown once. A token joins one host, once, within its hour.
 */
public final class JoinTokens {

  static final Duration LIFETIME = Duration.ofHours(1);
  private static final Pattern SHAPE = Pattern.compile("([a-z0-9]{6})\\.([a-z0-9]{32})");
  private static final String ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";
  private static final SecureRandom RANDOM = new SecureRandom();

  /** A token not yet used, as the Hosts page lists it (never its secret). */
  public record Pending(String id, String host, String createdBy, Instant createdAt, Instant expiresAt) {}

  /** A new token, the only time its secret is seen. */
  record Created(String token, String id, Instant expiresAt) {}

  private final Database database;
  private final Clock clock;

  JoinTokens(Database database, Clock clock) {
    this.database = database;
    this.clock = clock;
  }

  Created create(String host, String actor) {
    String id = random(6);
    String secret = random(32);
    Instant now = clock.instant();
    Instant expires = now.plus(LIFETIME);
    update("INSERT INTO join_tokens (id, secret_hash, host, created_by, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)",
        id, Sha256.hex(secret), host, actor, now.toString(), expires.toString());
    return new Created(id + "." + secret, id, expires);
  }

  /**
   * Uses the token up, answering the host it was made for.
   *
   * @throws JoinRefused saying why, in one line: unknown, revoked, expired or already used
   */
  String redeem(String token) {
    var shape = token == null ? null : SHAPE.matcher(token);
    if (shape == null || !shape.matches()) {
      throw new JoinRefused(400, "the join token is malformed: it has the shape abcdef.0123456789abcdef0123456789abcdef");
    }
    String id = shape.group(1);
    Instant now = clock.instant();
    try (Connection connection = database.connection()) {
      String host;
      try (PreparedStatement find = connection.prepareStatement(
          "SELECT secret_hash, host, expires_at, used_at, revoked_at FROM join_tokens WHERE id = ?")) {
        find.setString(1, id);
        try (ResultSet row = find.executeQuery()) {
          if (!row.next() || !MessageDigest.isEqual(Sha256.hex(shape.group(2)).getBytes(StandardCharsets.US_ASCII),
              row.getString("secret_hash").getBytes(StandardCharsets.US_ASCII))) {
            throw new JoinRefused(403, "the join token is not one this console made");
          }
          if (row.getString("revoked_at") != null) {
            throw new JoinRefused(403, "the join token was revoked at " + row.getString("revoked_at") + "; make a new one with Add host");
          }
          if (row.getString("used_at") != null) {
            throw new JoinRefused(403, "the join token was already used at " + row.getString("used_at") + "; make a new one with Add host");
          }
          if (!Instant.parse(row.getString("expires_at")).isAfter(now)) {
            throw new JoinRefused(403, "the join token expired at " + row.getString("expires_at") + "; make a new one with Add host");
          }
          host = row.getString("host");
        }
      }
      try (PreparedStatement use = connection.prepareStatement(
          "UPDATE join_tokens SET used_at = ? WHERE id = ? AND used_at IS NULL AND revoked_at IS NULL")) {
        use.setString(1, now.toString());
        use.setString(2, id);
        if (use.executeUpdate() != 1) { // another join with the same token won the race
          throw new JoinRefused(403, "the join token was already used; make a new one with Add host");
        }
      }
      return host;
    } catch (SQLException e) {
      throw new DatabaseException("could not read join tokens: " + e.getMessage(), e);
    }
  }

  /** Tokens that can still join, newest first. */
  List<Pending> pending() {
    try (Connection connection = database.connection(); PreparedStatement query = connection.prepareStatement("""
        SELECT id, host, created_by, created_at, expires_at FROM join_tokens
        WHERE used_at IS NULL AND revoked_at IS NULL AND expires_at > ? ORDER BY created_at DESC""")) {
      query.setString(1, clock.instant().toString());
      List<Pending> pending = new ArrayList<>();
      try (ResultSet rows = query.executeQuery()) {
        while (rows.next()) {
          pending.add(new Pending(rows.getString("id"), rows.getString("host"), rows.getString("created_by"),
              Instant.parse(rows.getString("created_at")), Instant.parse(rows.getString("expires_at"))));
        }
      }
      return pending;
    } catch (SQLException e) {
      throw new DatabaseException("could not read join tokens: " + e.getMessage(), e);
    }
  }

  /** Revokes a token not yet used; answers whether there was one. */
  boolean revoke(String id) {
    return update("UPDATE join_tokens SET revoked_at = ? WHERE id = ? AND used_at IS NULL AND revoked_at IS NULL",
        clock.instant().toString(), id) == 1;
  }

  /** Revokes every token still waiting for the host; answers how many. */
  int revokeFor(String host) {
    return update("UPDATE join_tokens SET revoked_at = ? WHERE host = ? AND used_at IS NULL AND revoked_at IS NULL",
        clock.instant().toString(), host);
  }

  private int update(String sql, Object... values) {
    try (Connection connection = database.connection(); PreparedStatement statement = connection.prepareStatement(sql)) {
      for (int i = 0; i < values.length; i++) {
        statement.setObject(i + 1, values[i]);
      }
      return statement.executeUpdate();
    } catch (SQLException e) {
      throw new DatabaseException("could not change join tokens: " + e.getMessage(), e);
    }
  }

  private static String random(int length) {
    StringBuilder text = new StringBuilder(length);
    for (int i = 0; i < length; i++) {
      text.append(ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length())));
    }
    return text.toString();
  }
}
