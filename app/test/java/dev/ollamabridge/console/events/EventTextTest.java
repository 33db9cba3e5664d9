package dev.ollamabridge.console.events;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ollamabridge.console.store.Database;
import dev.ollamabridge.console.store.Retention;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What an event keeps of a text from outside: one line, a bounded length, and a note where it was cut. */
class EventTextTest {

  @TempDir Path data;
  private Database database;
  private EventLog events;

  @BeforeEach
  void open() {
    database = Database.open(data.resolve("console.db"));
    events = new EventLog(database, () -> new Retention(1000, Duration.ofDays(1)));
  }

  @AfterEach
  void close() {
    database.close();
  }

  private EventLog.Event recorded(String target, String detail) {
    events.record("web:127.0.0.1", "login.failed", target, detail);
    return events.latest(1, null).get(0);
  }

  @Test
  void anOrdinaryTextIsKeptAsItIsMarkupIncluded() {
    EventLog.Event event = recorded("llama3.2:3b", "on bridge-1 (Grüße, 模型, 🦙) <b>&amp;</b>");

    assertThat(event.target()).isEqualTo("llama3.2:3b");
    assertThat(event.detail()).as("pages escape it when they show it").isEqualTo("on bridge-1 (Grüße, 模型, 🦙) <b>&amp;</b>");
  }

  @Test
  void lineBreaksControlsAndDirectionOverridesAreWrittenAsEscapes() {
    EventLog.Event event = recorded("admin\n2026-01-01 INFO forged", "\r\tbell\u0007 nul\u0000 ls\u2028 rlo\u202Eevil \uD800");

    assertThat(event.target()).isEqualTo("admin\\n2026-01-01 INFO forged");
    assertThat(event.detail()).isEqualTo("\\r\\tbell\\u0007 nul\\u0000 ls\\u2028 rlo\\u202eevil \\ud800");
  }

  @Test
  void aLongTextIsCutWithANoteOfWhatWasLeftOff() {
    EventLog.Event event = recorded("x".repeat(1_000_000), "\n".repeat(5_000));

    assertThat(event.target()).isEqualTo("x".repeat(EventLog.MAX_TARGET) + "…(999800 more)");
    assertThat(event.detail()).as("escapes count towards the limit")
        .isEqualTo("\\n".repeat(EventLog.MAX_DETAIL / 2) + "…(4000 more)");
  }

  @Test
  void aLongTargetIsFoundAsItWasKept() {
    events.record("web:127.0.0.1", "login.failed", "y".repeat(10_000), null);

    assertThat(events.latest(10, "y".repeat(10_000))).hasSize(1);
  }
}
