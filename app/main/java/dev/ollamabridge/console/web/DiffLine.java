package dev.ollamabridge.console.web;

import java.util.ArrayList;
import java.util.List;

/**
 * One line of a unified diff as the pages show it, its {@code +} or {@code -} kept: the colour of
 * an added or removed line repeats what the marker says, for readers who do not see colours.
 *
 * @param kind {@code add}, {@code del}, {@code hunk} (an {@code @@} header), {@code file} (the
 *     {@code ---} and {@code +++} names), {@code note} (what the console says of a diff not shown
 *     whole) or {@code context}
 */
public record DiffLine(String kind, String text) {

  public static List<DiffLine> of(String diff) {
    List<DiffLine> lines = new ArrayList<>();
    List<String> all = diff.lines().toList();
    for (int i = 0; i < all.size(); i++) {
      String line = all.get(i);
      String kind = i < 2 && (line.startsWith("--- ") || line.startsWith("+++ ")) ? "file"
          : line.startsWith("@@") ? "hunk"
          : line.startsWith("+") ? "add"
          : line.startsWith("-") ? "del"
          : line.startsWith("#") ? "note"
          : "context";
      lines.add(new DiffLine(kind, line));
    }
    return lines;
  }
}
