package dev.ollamabridge.console.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import dev.ollamabridge.console.store.Database;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ApiTokensTest {

  private static final Instant START = Instant.parse("2026-03-01T10:00:00Z");

  @TempDir Path data;
  private Database database;
  private final MovableClock clock = new MovableClock(START);
  private ApiTokens tokens;

  @BeforeEach
  void openDatabase() {
    database = Database.open(data.resolve("console.db"));
    tokens = new ApiTokens(database, clock);
  }

  @AfterEach
  void closeDatabase() {
    database.close();
  }

  @Test
  void theListShowsNamesAndTimesButNoSecret() {
    String ci = tokens.create("ci");
    clock.advance(Duration.ofHours(1));
    tokens.create("admin");

    assertThat(tokens.list()).extracting(ApiToken::name, ApiToken::createdAt, ApiToken::lastUsedAt)
        .containsExactly(
            tuple("admin", START.plus(Duration.ofHours(1)), null),
            tuple("ci", START, null));
    assertThat(tokens.list().toString()).doesNotContain(ci).doesNotContain(ci.substring(4));
  }

  @Test
  void aRevokedTokenNoLongerWorksAndOthersDo() {
    String ci = tokens.create("ci");
    String admin = tokens.create("admin");
    long ciId = tokens.list().stream().filter(t -> t.name().equals("ci")).findFirst().orElseThrow().id();

    assertThat(tokens.revoke(ciId)).isTrue();

    assertThat(tokens.verify(ci)).isEmpty();
    assertThat(tokens.verify(admin)).contains("admin");
    assertThat(tokens.list()).extracting(ApiToken::name).containsExactly("admin");
  }

  @Test
  void revokingAnUnknownTokenSaysSo() {
    assertThat(tokens.revoke(42)).isFalse();
  }

  @Test
  void aTokenRemembersWhenItWasLastUsedToTheMinute() {
    String ci = tokens.create("ci");
    clock.advance(Duration.ofMinutes(5));

    assertThat(tokens.verify(ci)).contains("ci");
    assertThat(lastUsed("ci")).isEqualTo(START.plus(Duration.ofMinutes(5)));

    clock.advance(Duration.ofSeconds(59));
    tokens.verify(ci);
    assertThat(lastUsed("ci")).as("not written again within a minute").isEqualTo(START.plus(Duration.ofMinutes(5)));

    clock.advance(Duration.ofSeconds(1));
    tokens.verify(ci);
    assertThat(lastUsed("ci")).isEqualTo(START.plus(Duration.ofMinutes(6)));
  }

  @Test
  void aWrongTokenIsNotAUse() {
    tokens.create("ci");

    assertThat(tokens.verify("obt_not-a-token")).isEmpty();
    assertThat(tokens.verify("something else")).isEmpty();
    assertThat(tokens.verify(null)).isEmpty();
    assertThat(lastUsed("ci")).isNull();
  }

  @Test
  void aTakenNameIsAConflict() {
    tokens.create("ci");

    assertThatThrownBy(() -> tokens.create("ci"))
        .isInstanceOfSatisfying(ApiTokens.NameTaken.class, e -> assertThat(e.field()).isEqualTo("name"))
        .hasMessageContaining("ci");
  }

  @Test
  void aNameMustKeepTheRule() {
    for (String bad : new String[] {"", "CI", "-ci", ".ci", "ci token", "ci/1", "x".repeat(64), "ci\n", null}) {
      assertThatThrownBy(() -> tokens.create(bad)).as("%s", bad)
          .isInstanceOfSatisfying(ApiTokens.InvalidName.class, e -> assertThat(e.field()).isEqualTo("name"))
          .hasMessageContaining("a-z");
    }
    for (String good : new String[] {"ci", "0", "grafana.prod-2", "a_b", "x".repeat(63)}) {
      tokens.create(good);
    }
    assertThat(tokens.list()).hasSize(5);
  }

  private Instant lastUsed(String name) {
    return tokens.list().stream().filter(t -> t.name().equals(name)).findFirst().orElseThrow().lastUsedAt();
  }

  /** A clock that moves only when the test says so. */
  private static final class MovableClock extends Clock {
    private Instant now;

    MovableClock(Instant start) {
      this.now = start;
    }

    void advance(Duration duration) {
      now = now.plus(duration);
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      throw new UnsupportedOperationException();
    }

    @Override
    public Instant instant() {
      return now;
    }
  }
}
