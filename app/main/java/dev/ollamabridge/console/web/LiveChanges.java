package dev.ollamabridge.console.web;

import dev.ollamabridge.console.instances.InvalidInput;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * What a poll of the dashboard answers: only what differs from what the page says it shows. The page
 * sends, per row, its id and the digest of what the row shows ({@code seen=12.a1b2c3d4e5f6}), in the
 * order of the screen, and the digest of its summary; the answer holds the rows that changed, the rows
 * to add and to drop, the summary if it changed, and the order if it is no longer the screen's. htmx
 * swaps each of these out of band, so an unchanged row keeps its DOM node, its focus and its selection.
 *
 * @param live the dashboard now
 * @param summaryChanged whether the totals or the count of shown rows differ from the page's
 * @param changed rows the page shows with another digest
 * @param added rows the page does not show yet, appended at the end of the table
 * @param removed ids of rows the page shows that the filter no longer keeps (or that are gone)
 * @param order the ids in the filter's order, or null when the page, once changed, already shows them so
 */
public record LiveChanges(Live live, boolean summaryChanged, List<InstanceRow> changed, List<InstanceRow> added,
    List<Long> removed, String order) {

  /**
   * Past this many rows to swap, add or drop (a new search over many instances), one new table body costs
   * the browser less than as many swaps of their own.
   */
  private static final int MANY = 40;

  /** Whether the answer replaces the table's whole body rather than row by row. */
  public boolean whole() {
    return changed.size() + added.size() + removed.size() > MANY;
  }

  /** More rows than any console holds; a page claiming more is refused. */
  private static final int MAX_SEEN = 10_000;
  private static final Pattern SEEN = Pattern.compile("\\d{1,18}\\.[0-9a-f]{12}");

  /** The differences between the page, as its fields describe it, and the dashboard now. */
  static LiveChanges between(List<String> seenFields, String summarySeen, Live now) {
    Map<Long, String> seen = seen(seenFields);
    Set<Long> shown = now.rows().stream().map(InstanceRow::id).collect(Collectors.toSet());
    List<InstanceRow> changed = new ArrayList<>();
    List<InstanceRow> added = new ArrayList<>();
    for (InstanceRow row : now.rows()) {
      String digest = seen.get(row.id());
      if (digest == null) {
        added.add(row);
      } else if (!digest.equals(row.digest())) {
        changed.add(row);
      }
    }
    List<Long> removed = seen.keySet().stream().filter(id -> !shown.contains(id)).toList();
    List<Long> wanted = now.rows().stream().map(InstanceRow::id).toList();
    List<Long> after = new ArrayList<>(seen.keySet());
    after.removeAll(removed);
    added.forEach(row -> after.add(row.id()));
    String order = after.equals(wanted) ? null : wanted.stream().map(String::valueOf).collect(Collectors.joining(" "));
    return new LiveChanges(now, !now.summaryDigest().equals(summarySeen), changed, added, removed, order);
  }

  private static Map<Long, String> seen(List<String> fields) {
    if (fields.size() > MAX_SEEN) {
      throw new InvalidInput("seen", "seen lists at most " + MAX_SEEN + " rows");
    }
    Map<Long, String> seen = new LinkedHashMap<>();
    for (String field : fields) {
      if (!SEEN.matcher(field).matches()) {
        throw new InvalidInput("seen", "each seen value is a row's id, a dot and its 12-digit hex digest");
      }
      int dot = field.indexOf('.');
      seen.put(Long.parseLong(field.substring(0, dot)), field.substring(dot + 1));
    }
    return seen;
  }
}
