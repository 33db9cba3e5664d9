package dev.ollamabridge.console.events;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ollamabridge.console.store.Database;
import dev.ollamabridge.console.store.Retention;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The audit log keeps a window of its newest events, by count and by age, and does not grow without bound. */
class EventRetentionTest {

  @TempDir Path dir;

  @Test
  void theLogKeepsItsNewestEventsAndNoneOlderThanItsAge() throws Exception {
    try (Database database = Database.open(dir.resolve("console.db"))) {
      EventLog events = new EventLog(database, () -> new Retention(5, Duration.ofDays(1)));
      try (Connection connection = database.connection();
          PreparedStatement old = connection.prepareStatement(
              "INSERT INTO events (at, actor, action) VALUES (?, 'test', 'ancient')")) {
        old.setString(1, Instant.now().minus(Duration.ofDays(2)).toString());
        old.executeUpdate();
      }
      for (int i = 1; i <= 250; i++) {
        events.record("test", "event." + i, null, null);
      }
      assertThat(events.latest(1000, null)).as("trimmed as they came").hasSizeLessThanOrEqualTo(55);

      events.trim();

      assertThat(events.latest(1000, null)).extracting(EventLog.Event::action)
          .containsExactly("event.250", "event.249", "event.248", "event.247", "event.246");
    }
  }

  @Test
  void anOldEventGoesEvenWhenThereAreFewEvents() throws Exception {
    try (Database database = Database.open(dir.resolve("console.db"))) {
      EventLog events = new EventLog(database, () -> new Retention(1000, Duration.ofDays(1)));
      try (Connection connection = database.connection();
          PreparedStatement old = connection.prepareStatement(
              "INSERT INTO events (at, actor, action) VALUES (?, 'test', 'ancient')")) {
        old.setString(1, Instant.now().minus(Duration.ofDays(2)).toString());
        old.executeUpdate();
      }
      events.record("test", "fresh", null, null);

      events.trim();

      assertThat(events.latest(10, null)).extracting(EventLog.Event::action).containsExactly("fresh");
    }
  }
}
