package dev.ollamabridge.console.nginx;

import com.github.difflib.DiffUtils;
import com.github.difflib.UnifiedDiffUtils;
import com.github.difflib.algorithm.DiffAlgorithmListener;
import com.github.difflib.algorithm.myers.MyersDiff;
import com.github.difflib.patch.Patch;
import java.time.Duration;
import java.util.List;
import java.util.function.BiPredicate;
import java.util.regex.Pattern;
import java.util.stream.IntStream;

/**
 * The unified diff between two nginx configurations, as {@code diff -u} would print it, within
 * bounds: a diff costs time that grows with the product of the texts' changes, and a page shows
 * it whole, so texts too long, a diff too slow or an answer too long are said as such instead.
 *
 * <p>Each configuration carries its own hash twice (the {@code # Revision} comment and the header
 * {@code /nginx-health} answers with, by which the console checks what nginx serves), so any two
 * differ there: lines that differ only by the hash are no change.
 */
public final class ConfigDiff {

  private static final int CONTEXT_LINES = 3;
  /** Longer texts are not compared: a cluster of 3,000 models renders about 10,000 lines. */
  static final int MAX_LINES = 50_000;
  /** The longest diff shown; the rest is counted. */
  static final int MAX_DIFF_LINES = 5_000;
  static final Duration MAX_TIME = Duration.ofSeconds(1);
  private static final Pattern HASH = Pattern.compile("(# Revision |X-Config-Revision )\\S+");
  private static final BiPredicate<String, String> SAME_BUT_HASH = (a, b) -> a.equals(b) || withoutHash(a).equals(withoutHash(b));

  private ConfigDiff() {}

  /**
   * The changes from {@code from} to {@code to}, with three lines of context; empty when the two
   * texts have the same lines.
   *
   * @param fromName what the diff calls the old text, e.g. {@code revision-4}
   * @param from the old text; null is an empty file (nothing applied yet)
   */
  public static String unified(String fromName, String from, String toName, String to) {
    return unified(fromName, from, toName, to, MAX_TIME);
  }

  static String unified(String fromName, String from, String toName, String to, Duration maxTime) {
    List<String> before = from == null ? List.of() : from.lines().toList();
    List<String> after = to == null ? List.of() : to.lines().toList();
    if (before.size() == after.size() && IntStream.range(0, before.size())
        .allMatch(i -> SAME_BUT_HASH.test(before.get(i), after.get(i)))) {
      return "";
    }
    String header = "--- " + fromName + "\n+++ " + toName + "\n";
    if (before.size() > MAX_LINES || after.size() > MAX_LINES) {
      return header + "# not compared: the texts have " + before.size() + " and " + after.size()
          + " lines, more than the " + MAX_LINES + " a diff is made of here; download both to compare them\n";
    }
    Patch<String> patch;
    try {
      patch = DiffUtils.diff(before, after, new MyersDiff<>(SAME_BUT_HASH), new Deadline(System.nanoTime() + maxTime.toNanos()));
    } catch (TooSlow e) {
      return header + "# not compared: the texts differ in more than a diff can be made of in "
          + maxTime.toSeconds() + " s; download both to compare them\n";
    }
    List<String> lines = UnifiedDiffUtils.generateUnifiedDiff(fromName, toName, before, patch, CONTEXT_LINES);
    if (lines.size() <= MAX_DIFF_LINES) {
      return String.join("\n", lines);
    }
    return String.join("\n", lines.subList(0, MAX_DIFF_LINES)) + "\n# … " + (lines.size() - MAX_DIFF_LINES)
        + " more lines of this diff are not shown\n";
  }

  private static String withoutHash(String line) {
    return HASH.matcher(line).replaceAll("$1");
  }

  /** Stops the diff between its steps once its time is up. */
  private record Deadline(long nanos) implements DiffAlgorithmListener {

    @Override
    public void diffStart() {}

    @Override
    public void diffStep(int value, int max) {
      if (System.nanoTime() > nanos) {
        throw new TooSlow();
      }
    }

    @Override
    public void diffEnd() {}
  }

  private static final class TooSlow extends RuntimeException {
    private static final long serialVersionUID = 1L;

    TooSlow() {
      super(null, null, false, false);
    }
  }
}
