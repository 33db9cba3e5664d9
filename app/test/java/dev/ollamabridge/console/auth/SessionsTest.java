package dev.ollamabridge.console.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Base64;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SessionsTest {

  private final FakeTicker ticker = new FakeTicker();
  private final Sessions sessions = new Sessions(Duration.ofMinutes(30), Duration.ofHours(12), ticker);

  @Test
  void aNewSessionIsFoundByItsIdAndHasItsOwnUnguessableIdAndCsrfToken() {
    Sessions.Session session = sessions.create("admin");

    assertThat(sessions.find(session.id())).contains(session);
    assertThat(session.user()).isEqualTo("admin");
    assertThat(Base64.getUrlDecoder().decode(session.id())).hasSize(32);
    assertThat(Base64.getUrlDecoder().decode(session.csrfToken())).hasSize(32);
    assertThat(session.csrfToken()).isNotEqualTo(session.id());
    assertThat(session.toString()).doesNotContain(session.id()).doesNotContain(session.csrfToken());
  }

  @Test
  void everySessionGetsDifferentSecrets() {
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 100; i++) {
      Sessions.Session session = sessions.create("admin");
      assertThat(seen.add(session.id())).isTrue();
      assertThat(seen.add(session.csrfToken())).isTrue();
    }
  }

  @Test
  void anUnknownOrMissingIdFindsNothing() {
    sessions.create("admin");

    assertThat(sessions.find("not-a-session")).isEmpty();
    assertThat(sessions.find(null)).isEmpty();
  }

  @Test
  void aSessionIdleForLongerThanTheIdleExpiryIsGone() {
    Sessions.Session session = sessions.create("admin");

    ticker.advance(Duration.ofMinutes(31));

    assertThat(sessions.find(session.id())).isEmpty();
  }

  @Test
  void usingASessionKeepsItAlive() {
    Sessions.Session session = sessions.create("admin");

    for (int i = 0; i < 6; i++) {
      ticker.advance(Duration.ofMinutes(20));
      assertThat(sessions.find(session.id())).as("after %d minutes", 20 * (i + 1)).contains(session);
    }
    ticker.advance(Duration.ofMinutes(31));
    assertThat(sessions.find(session.id())).isEmpty();
  }

  @Test
  void aSessionInUseStillEndsAtItsLifetime() {
    Sessions.Session session = sessions.create("admin");

    for (int minutes = 20; minutes < 12 * 60; minutes += 20) {
      ticker.advance(Duration.ofMinutes(20));
      assertThat(sessions.find(session.id())).as("after %d minutes", minutes).isPresent();
    }
    ticker.advance(Duration.ofMinutes(20));

    assertThat(sessions.find(session.id())).isEmpty();
  }

  @Test
  void anEndedSessionIsGoneAndOthersStay() {
    Sessions.Session ended = sessions.create("admin");
    Sessions.Session other = sessions.create("admin");

    sessions.end(ended.id());
    sessions.end("not-a-session");
    sessions.end(null);

    assertThat(sessions.find(ended.id())).isEmpty();
    assertThat(sessions.find(other.id())).contains(other);
  }

  @Test
  void endAllButKeepsOnlyTheGivenSession() {
    Sessions.Session current = sessions.create("admin");
    Sessions.Session laptop = sessions.create("admin");
    Sessions.Session phone = sessions.create("admin");

    sessions.endAllBut(current.id());

    assertThat(sessions.find(current.id())).contains(current);
    assertThat(sessions.find(laptop.id())).isEmpty();
    assertThat(sessions.find(phone.id())).isEmpty();
  }

  @Test
  void endAllEndsEverySession() {
    Sessions.Session one = sessions.create("admin");
    Sessions.Session two = sessions.create("admin");

    sessions.endAll();

    assertThat(sessions.find(one.id())).isEmpty();
    assertThat(sessions.find(two.id())).isEmpty();
  }

  @Test
  void onlyTheSessionsOwnCsrfTokenMatches() {
    Sessions.Session session = sessions.create("admin");
    Sessions.Session other = sessions.create("admin");

    assertThat(sessions.csrfMatches(session, session.csrfToken())).isTrue();
    assertThat(sessions.csrfMatches(session, other.csrfToken())).isFalse();
    assertThat(sessions.csrfMatches(session, session.id())).isFalse();
    assertThat(sessions.csrfMatches(session, "")).isFalse();
    assertThat(sessions.csrfMatches(session, null)).isFalse();
    assertThat(sessions.csrfMatches(null, session.csrfToken())).isFalse();
  }
}
