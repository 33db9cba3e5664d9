package dev.ollamabridge.console.supervise;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class CommandLinesTest {

  private Process process;

  @AfterEach
  void stop() {
    if (process != null) {
      process.destroyForcibly();
    }
  }

  @Test
  void aProcessesArgumentsAreReadWholeAndInOrder() throws Exception {
    List<String> argv = List.of("sh", "-c", "while :; do sleep 0.1; done", "-Dollamabridge.data=/a dir/with spaces",
        "", "ünïcødé", "-Dollamabridge.program=x");

    process = new ProcessBuilder(argv).start();

    // the JVM may still be between its spawn helper and the program for a moment
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
        assertThat(CommandLines.of(process.toHandle())).contains(argv));
  }

  @Test
  void aProcessThatIsGoneHasNone() throws Exception {
    process = new ProcessBuilder("true").start();
    ProcessHandle handle = process.toHandle();
    process.waitFor();

    assertThat(CommandLines.of(handle)).isEqualTo(Optional.empty());
  }
}
