package dev.ollamabridge.console.supervise;

import static dev.ollamabridge.console.supervise.ProcessState.RUNNING;
import static dev.ollamabridge.console.supervise.SupervisorTest.awaitState;
import static dev.ollamabridge.console.supervise.TestPrograms.shell;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

class LogRotationTest {

  private static final Pattern NUMBERED = Pattern.compile("line (\\d+)");
  private static final String COUNTING = "i=0; while true; do echo \"line $i\"; i=$((i+1)); sleep 0.01; done";

  @TempDir
  Path dir;

  @RegisterExtension
  final Supervisors supervisors = new Supervisors();

  @Test
  void theLogRotatesPastLogMaxBytesKeepingAtMostLogBackupsOlderFiles() throws Exception {
    long maxBytes = 300;
    Supervisor supervisor = supervisors.open(dir.resolve("run"), dir.resolve("logs"), policy(maxBytes, 2));
    Path log = supervisor.logFile("counter");
    Path newer = Path.of(log + ".1");
    Path older = Path.of(log + ".2");
    supervisor.start(shell("counter", dir, COUNTING));

    // tail() rotates when due; once .2 holds other lines than at first, the oldest file was dropped once
    List<Integer> firstOlder = await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
        .until(() -> rotatedThenRead(supervisor, older), lines -> !lines.isEmpty());
    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
        .until(() -> rotatedThenRead(supervisor, older), lines -> !lines.equals(firstOlder));
    supervisor.stop("counter").get(10, TimeUnit.SECONDS);

    assertThat(Path.of(log + ".3")).doesNotExist();
    assertThat(Files.size(older)).isGreaterThan(maxBytes);
    assertThat(Files.size(newer)).isGreaterThan(maxBytes);
    assertThat(numbers(older).get(0)).isGreaterThan(firstOlder.get(firstOlder.size() - 1));
    assertThat(last(numbers(older))).as("older lines in the older file").isLessThan(numbers(newer).get(0));
    List<Integer> current = numbers(log);
    if (!current.isEmpty()) {
      assertThat(last(numbers(newer))).isLessThan(current.get(0));
    }
  }

  @Test
  void tailGivesTheLastLinesOfTheCurrentLog() {
    Supervisor supervisor = supervisors.open(dir.resolve("run"), dir.resolve("logs"), TestPrograms.quickPolicy());
    supervisor.start(shell("poet", dir, "printf 'one\\ntwo\\nthree\\n'; exec sleep 60"));
    awaitState(supervisor, "poet", RUNNING);

    await().atMost(Duration.ofSeconds(10)).until(() -> supervisor.tail("poet", 2), List.of("two", "three")::equals);

    assertThat(supervisor.tail("poet", 10)).containsExactly("one", "two", "three");
    assertThat(supervisor.tail("poet", 0)).isEmpty();
    assertThat(supervisor.tail("never-ran", 5)).isEmpty();
  }

  private static List<Integer> rotatedThenRead(Supervisor supervisor, Path file) {
    supervisor.tail("counter", 1);
    return Files.exists(file) ? numbers(file) : List.of();
  }

  private static List<Integer> numbers(Path file) {
    try {
      return Files.readAllLines(file).stream()
          .map(NUMBERED::matcher)
          .filter(Matcher::matches)
          .map(matcher -> Integer.parseInt(matcher.group(1)))
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static int last(List<Integer> numbers) {
    return numbers.get(numbers.size() - 1);
  }

  private static SupervisePolicy policy(long logMaxBytes, int logBackups) {
    return new SupervisePolicy(Duration.ofMillis(500), 2, Duration.ofMillis(50), Duration.ofMillis(200), true,
        Duration.ofSeconds(1), logMaxBytes, logBackups);
  }
}
