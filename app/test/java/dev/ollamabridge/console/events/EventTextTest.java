package dev.ollamabridge.console.events;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** What an event keeps of a text from outside: one line, a bounded length, and a mark where it was cut. */
class EventTextTest {

  @Test
  void anOrdinaryTextIsKeptAsItIs() {
    assertThat(EventLog.oneLine("llama3.2:3b on bridge-1 (Grüße, 模型, 🦙)", 200))
        .isEqualTo("llama3.2:3b on bridge-1 (Grüße, 模型, 🦙)");
    assertThat(EventLog.oneLine(null, 200)).isNull();
  }

  @Test
  void lineBreaksControlsAndDirectionOverridesAreWrittenAsEscapes() {
    assertThat(EventLog.oneLine("admin\n2026-01-01 INFO forged\r\tbell\u0007 nul\u0000 ls\u2028 rlo\u202Eevil \uD800", 200))
        .isEqualTo("admin\\n2026-01-01 INFO forged\\r\\tbell\\u0007 nul\\u0000 ls\\u2028 rlo\\u202eevil \\ud800");
  }

  @Test
  void aLongTextIsCutWithAMarkSayingHowLongItWas() {
    String cut = EventLog.oneLine("x".repeat(1_000_000), 200);

    assertThat(cut).startsWith("x".repeat(200)).endsWith("… [cut: 1000000 characters]").hasSizeLessThan(240);
  }

  @Test
  void escapesCountTowardsTheLimit() {
    assertThat(EventLog.oneLine("\n".repeat(1000), 10)).isEqualTo("\\n\\n\\n\\n\\n… [cut: 1000 characters]");
  }
}
