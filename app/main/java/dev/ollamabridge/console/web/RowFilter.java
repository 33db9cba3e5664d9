package dev.ollamabridge.console.web;

import dev.ollamabridge.console.instances.InstanceView;
import dev.ollamabridge.console.instances.InvalidInput;
import dev.ollamabridge.console.metrics.Figures;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which instances the dashboard lists, and in what order: a search in names, addresses and
 * upstreams, a process state, a health word, the host they run on, and a sort ({@code problems}
 * first by default). Read
 * from the page's query and from every poll, so the list a poll answers is the list on the screen.
 *
 * @param q text the name, address or upstream contains (any case); empty: any
 * @param state a process state word as the rows show it ({@code RUNNING}, {@code DISABLED}…); empty: any
 * @param health a health word as the rows show it ({@code healthy}, {@code unhealthy}…); empty: any
 * @param host the name of the host the instances run on ({@code local}, or one on the Hosts page); empty: any
 * @param sort one of {@link #SORTS}
 */
public record RowFilter(String q, String state, String health, String host, String sort) {

  /** The orders, each with what the page calls it. */
  public static final List<Choice> SORTS = List.of(new Choice("problems", "Problems first"), new Choice("name", "Name"),
      new Choice("address", "Address"), new Choice("requests", "Busiest (req/s)"), new Choice("latency", "Slowest (p95)"));
  /** The process states a row can show. */
  public static final List<String> STATES = List.of("RUNNING", "STARTING", "BACKOFF", "STOPPING", "STOPPED", "EXITED",
      "FATAL", "UNKNOWN", "DRAINING", "DISABLED", "EXTERNAL");
  /** The health words a row can show; a word outside these is accepted as well, for words yet to come. */
  public static final List<String> HEALTH = List.of("healthy", "unhealthy", "checking", "unchecked");

  public static final RowFilter DEFAULT = new RowFilter("", "", "", "", "problems");

  private static final int MAX_QUERY = 100;
  private static final Pattern WORD = Pattern.compile("[A-Za-z]{0,20}");
  /** A host's name as the Hosts page accepts it, or empty. */
  private static final Pattern HOST = Pattern.compile("([a-z0-9][a-z0-9-]{0,62})?");
  private static final Pattern NUMBERED = Pattern.compile("(\\D*)(\\d+)");

  /** A value of a select, and its label. */
  public record Choice(String value, String label) {}

  /** The filter a request names in its query or form fields; a value outside the rules is a 400 naming its field. */
  static RowFilter read(Function<String, String> field) {
    String q = value(field, "q").strip();
    if (q.length() > MAX_QUERY) {
      throw new InvalidInput("q", "q (search) is at most " + MAX_QUERY + " characters");
    }
    String state = word(field, "state");
    String health = word(field, "health");
    String host = value(field, "host");
    if (!HOST.matcher(host).matches()) {
      throw new InvalidInput("host", "host must be a host's name (lower-case letters, digits and '-'), or empty for any");
    }
    String sort = value(field, "sort");
    if (SORTS.stream().noneMatch(choice -> choice.value().equals(sort)) && !sort.isEmpty()) {
      throw new InvalidInput("sort", "sort must be one of " + SORTS.stream().map(Choice::value).toList());
    }
    return new RowFilter(q, state, health, host, sort.isEmpty() ? DEFAULT.sort : sort);
  }

  private static String value(Function<String, String> field, String name) {
    String value = field.apply(name);
    return value == null ? "" : value;
  }

  private static String word(Function<String, String> field, String name) {
    String value = value(field, name);
    if (!WORD.matcher(value).matches()) {
      throw new InvalidInput(name, name + " must be a word of at most 20 letters, or empty for any");
    }
    return value;
  }

  /** Whether it leaves instances out. */
  public boolean narrows() {
    return !q.isEmpty() || !state.isEmpty() || !health.isEmpty() || !host.isEmpty();
  }

  /**
   * The rows of the instances it keeps, in its order.
   *
   * @param hostsAway the state of each host that is not Ready, by name
   */
  List<InstanceRow> select(List<InstanceView> views, Map<String, String> hostsAway) {
    String needle = q.toLowerCase(Locale.ROOT);
    return views.stream()
        .filter(view -> needle.isEmpty() || contains(view.instance().name(), needle)
            || contains(view.instance().address(), needle) || contains(view.instance().upstreamUrl(), needle))
        .filter(view -> host.isEmpty() || view.instance().host().equals(host))
        .map(view -> new Listed(view, InstanceRow.of(view, hostsAway.get(view.instance().host()))))
        .filter(listed -> state.isEmpty() || listed.row.state().equalsIgnoreCase(state))
        .filter(listed -> health.isEmpty() || listed.row.health().equalsIgnoreCase(health))
        .sorted(order())
        .map(Listed::row)
        .toList();
  }

  private record Listed(InstanceView view, InstanceRow row) {}

  private Comparator<Listed> order() {
    Comparator<Listed> byName = Comparator.comparing(listed -> listed.row.name(), RowFilter::natural);
    return switch (sort) {
      case "name" -> byName;
      case "address" -> Comparator.<Listed, String>comparing(listed -> listed.view.instance().listenHost())
          .thenComparingInt(listed -> listed.view.instance().port()).thenComparing(byName);
      case "requests" -> descending(Figures::requestsPerSecond).thenComparing(byName);
      case "latency" -> descending(figures -> figures.latencyP95Ms() == null ? -1 : figures.latencyP95Ms()).thenComparing(byName);
      default -> Comparator.<Listed>comparingInt(listed -> trouble(listed.row)).thenComparing(byName);
    };
  }

  private static Comparator<Listed> descending(ToDoubleFunction<Figures> figure) {
    return Comparator.<Listed>comparingDouble(listed -> listed.view.figures() == null ? -1 : figure.applyAsDouble(
        listed.view.figures())).reversed();
  }

  /** 0 for a row in trouble (a bad state or health), 1 for one in transit, 2 for the rest. */
  private static int trouble(InstanceRow row) {
    if (row.stateTone().equals("bad") || row.healthTone().equals("bad")) {
      return 0;
    }
    return row.stateTone().equals("busy") || row.healthTone().equals("busy") ? 1 : 2;
  }

  private static boolean contains(String text, String needle) {
    return text != null && text.toLowerCase(Locale.ROOT).contains(needle);
  }

  /** Names in the order people count: web-2 before web-10. */
  static int natural(String a, String b) {
    Matcher left = NUMBERED.matcher(a);
    Matcher right = NUMBERED.matcher(b);
    int at = 0;
    int bt = 0;
    while (left.find(at) && right.find(bt) && left.start() == at && right.start() == bt) {
      int prefix = left.group(1).compareToIgnoreCase(right.group(1));
      if (prefix != 0) {
        return prefix;
      }
      int number = new java.math.BigInteger(left.group(2)).compareTo(new java.math.BigInteger(right.group(2)));
      if (number != 0) {
        return number;
      }
      at = left.end();
      bt = right.end();
    }
    int rest = a.substring(at).compareToIgnoreCase(b.substring(bt));
    return rest != 0 ? rest : a.compareTo(b);
  }
}
