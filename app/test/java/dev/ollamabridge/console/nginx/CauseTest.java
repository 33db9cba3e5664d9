package dev.ollamabridge.console.nginx;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** A revision's cause is one bounded line, whatever names from outside it carries, and says who acted. */
class CauseTest {

  @Test
  void aCauseWithAHostileModelNameIsOneBoundedLine() {
    String hostile = "evil\n2026-12-07 INFO forged line\u202e<script>alert(1)</script>" + "x".repeat(5000);

    Cause cause = Cause.of("models", "models: b2 +" + hostile);

    assertThat(cause.text()).doesNotContain("\n").doesNotContain("\u202e").startsWith("models: b2 +evil\\n2026");
    assertThat(cause.text().length()).isLessThan(Cause.MAX_CHARS + 20);
    assertThat(cause.text()).endsWith(" more)");
    assertThat(cause.automatic()).isTrue();
  }

  @Test
  void causesSharingAnApplyAreListedOnceEachAndAutomaticOnlyIfAllAre() {
    Cause health = Cause.of("health", "health: b2 down");
    Cause weight = Cause.of("web:admin", "weight b1 3→7 by web:admin");

    Cause merged = Cause.merged(List.of(health, weight, health));

    assertThat(merged.text()).isEqualTo("health: b2 down; weight b1 3→7 by web:admin");
    assertThat(merged.automatic()).isFalse();
    assertThat(Cause.merged(List.of(health, Cause.of("models", "models: b2 +llama3"))).automatic()).isTrue();
  }
}
