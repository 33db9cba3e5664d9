package dev.ollamabridge.console.nginx;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Diffs of configurations of any size come back bounded: cut, or said to be too large, never hours long. */
class ConfigDiffTest {

  @Test
  void aSmallChangeIsAUnifiedDiff() {
    String diff = ConfigDiff.unified("revision-1", "a\nb\nc\n", "revision-2", "a\nB\nc\n");

    assertThat(diff).isEqualTo("--- revision-1\n+++ revision-2\n@@ -1,3 +1,3 @@\n a\n-b\n+B\n c");
    assertThat(ConfigDiff.unified("revision-1", "a\n", "revision-2", "a")).isEmpty();
  }

  @Test
  void linesThatDifferOnlyByTheConfigurationsHashAreNoChange() {
    String before = "# Revision 0123456789abcdef\nupstream x {\n    server 127.0.0.1:3001 weight=1; # b\n}\n"
        + "location = /nginx-health {\n    add_header X-Config-Revision 0123456789abcdef always;\n}\n";
    String after = before.replace("0123456789abcdef", "fedcba9876543210");

    assertThat(ConfigDiff.unified("revision-1", before, "revision-2", after)).isEmpty();
    assertThat(ConfigDiff.unified("revision-1", before, "revision-2", after.replace("weight=1", "weight=7")).lines()
        .filter(line -> line.startsWith("+") || line.startsWith("-")))
        .containsExactly("--- revision-1", "+++ revision-2", "-    server 127.0.0.1:3001 weight=1; # b",
            "+    server 127.0.0.1:3001 weight=7; # b");
  }

  @Test
  void textsLongerThanTheBoundAreNotCompared() {
    String huge = lines("model-", ConfigDiff.MAX_LINES + 1);

    String diff = ConfigDiff.unified("revision-1", "a\n", "rendered-now", huge);

    assertThat(diff).startsWith("--- revision-1\n+++ rendered-now\n# not compared: the texts have 1 and 50001 lines");
  }

  @Test
  void aLongDiffIsCutAndCounted() {
    String before = lines("line-", 8_000);
    String after = IntStream.range(0, 8_000).mapToObj(i -> i % 4 == 0 ? "changed-" + i : "line-" + i)
        .collect(Collectors.joining("\n"));

    // time enough on any machine: the bound under test here is the length
    String diff = ConfigDiff.unified("revision-1", before, "revision-2", after, Duration.ofMinutes(5));

    assertThat(diff.lines().count()).isLessThanOrEqualTo(ConfigDiff.MAX_DIFF_LINES + 1);
    assertThat(diff).endsWith(" more lines of this diff are not shown\n");
  }

  @Test
  void aDiffThatWouldTakeTooLongIsSaidToInstead() {
    int each = ConfigDiff.MAX_LINES - 1;
    String diff = ConfigDiff.unified("revision-1", lines("old-", each), "revision-2", lines("new-", each));

    assertThat(diff).contains("# not compared: the texts differ in more than a diff can be made of in 1 s");
  }

  private static String lines(String prefix, int count) {
    return IntStream.range(0, count).mapToObj(i -> prefix + i).collect(Collectors.joining("\n"));
  }
}
