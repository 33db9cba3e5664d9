package dev.ollamabridge.console.nginx;

import com.github.difflib.DiffUtils;
import com.github.difflib.UnifiedDiffUtils;
import java.util.List;

/** The unified diff between two nginx configurations, as {@code diff -u} would print it. */
public final class ConfigDiff {

  private static final int CONTEXT_LINES = 3;

  private ConfigDiff() {}

  /**
   * The changes from {@code from} to {@code to}, with three lines of context; empty when the two
   * texts have the same lines.
   *
   * @param fromName what the diff calls the old text, e.g. {@code revision-4}
   * @param from the old text; null is an empty file (nothing applied yet)
   */
  public static String unified(String fromName, String from, String toName, String to) {
    List<String> before = from == null ? List.of() : from.lines().toList();
    List<String> after = to == null ? List.of() : to.lines().toList();
    var patch = DiffUtils.diff(before, after);
    if (patch.getDeltas().isEmpty()) {
      return "";
    }
    return String.join("\n", UnifiedDiffUtils.generateUnifiedDiff(fromName, toName, before, patch, CONTEXT_LINES));
  }
}
