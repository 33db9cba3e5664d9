package dev.ollamabridge.console.supervise;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ChildTest {

  @Test
  void aZombieCountsAsEndedThoughTheJdkCallsItAlive() throws Exception {
    // the short sleep ends first, and its parent, now the long sleep, never reaps it
    Process parent = new ProcessBuilder("sh", "-c", "sleep 0.1 & exec sleep 30").start();
    try {
      ProcessHandle zombie = await().atMost(Duration.ofSeconds(10))
          .until(() -> parent.toHandle().children().findFirst(),
              child -> child.isPresent() && !Child.isRunning(child.get()))
          .orElseThrow();

      assertThat(zombie.isAlive()).isTrue();
      assertThat(Child.isRunning(zombie)).isFalse();
    } finally {
      parent.destroyForcibly().waitFor();
    }
  }

  @Test
  void aLiveProcessIsRunning() throws Exception {
    Process sleeper = new ProcessBuilder("sleep", "30").start();
    try {
      assertThat(Child.isRunning(sleeper.toHandle())).isTrue();
    } finally {
      sleeper.destroyForcibly().waitFor();
    }
    assertThat(Child.isRunning(sleeper.toHandle())).isFalse();
  }
}
