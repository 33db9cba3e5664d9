package dev.ollamabridge.console.supervise;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProgramLogsTest {

  @TempDir
  Path dir;

  @Test
  void tailReadsTheLastLinesOfALogLargerThanOneChunk() throws Exception {
    ProgramLogs logs = new ProgramLogs(dir, 0, 0);
    Files.writeString(logs.file("big"), numbered(0, 5000));

    assertThat(logs.tail("big", 3)).containsExactly("line 4997", "line 4998", "line 4999");
    assertThat(logs.tail("big", 1500)).hasSize(1500).startsWith("line 3500").endsWith("line 4999");
  }

  @Test
  void tailKeepsALastLineThatHasNoNewlineYet() throws Exception {
    ProgramLogs logs = new ProgramLogs(dir, 0, 0);
    Files.writeString(logs.file("partial"), "first\nsecond\nhalf a li");

    assertThat(logs.tail("partial", 2)).containsExactly("second", "half a li");
  }

  @Test
  void theLastLineSinceALaunchIgnoresWhatEarlierRunsWrote() throws Exception {
    ProgramLogs logs = new ProgramLogs(dir, 0, 0);
    Files.writeString(logs.file("app"), "old run said this\n");
    long atLaunch = logs.size("app");

    assertThat(logs.lastLineSince("app", atLaunch)).isEmpty();
    Files.writeString(logs.file("app"), "old run said this\nboom\n\n");
    assertThat(logs.lastLineSince("app", atLaunch)).hasValue("boom");
  }

  @Test
  void rotationShiftsTheBackupsCopiesTheLogAndEmptiesIt() throws Exception {
    ProgramLogs logs = new ProgramLogs(dir, 10, 2);
    Path log = logs.file("app");

    for (int round = 1; round <= 3; round++) {
      Files.writeString(log, "round " + round + " is longer than ten bytes\n");
      logs.rotateIfLarge("app");
    }

    assertThat(log).isEmptyFile();
    assertThat(logs.backup("app", 1)).hasContent("round 3 is longer than ten bytes");
    assertThat(logs.backup("app", 2)).hasContent("round 2 is longer than ten bytes");
    assertThat(logs.backup("app", 3)).doesNotExist();
  }

  @Test
  void aLogWithinItsLimitIsLeftAlone() throws Exception {
    ProgramLogs logs = new ProgramLogs(dir, 100, 2);
    Files.writeString(logs.file("app"), "short\n");

    logs.rotateIfLarge("app");

    assertThat(logs.file("app")).hasContent("short");
    assertThat(logs.backup("app", 1)).doesNotExist();
  }

  private static String numbered(int from, int to) {
    return IntStream.range(from, to).mapToObj(i -> "line " + i + "\n").collect(Collectors.joining());
  }
}
