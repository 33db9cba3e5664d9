package dev.ollamabridge.console.usage;

import java.util.HashMap;
import java.util.Map;

/**
 * How much each usage series of a bridge grew since what the console last counted of it: the rule
 * that makes the usage after console and bridge restarts equal to the traffic the bridges counted.
 * For one series:
 * <ol>
 *   <li>a cursor of the same bridge process (same start time) and no counter lower: the difference;
 *   <li>a cursor of another process, or a counter lower than the cursor: the bridge restarted and its
 *       counters began again at zero, so the whole value;
 *   <li>no cursor, but the instance was counted before: the series appeared since (a key or model new to
 *       the process, or a new process), so the whole value;
 *   <li>no cursor and the instance never counted: the whole value if the bridge started at or after
 *       the database began counting usage, else nothing (those requests were served before, and cannot
 *       be placed in an hour); the values become the cursor either way.
 * </ol>
 * A console restart changes nothing here: the cursors are stored with the hours they were added to.
 */
public final class UsageIncreases {

  private UsageIncreases() {}

  /** A series' last counted values, and the start time of the process that counted them. */
  public record Cursor(long startedMs, UsageCounters counters) {}

  /**
   * What one instance's bridge was last counted at.
   *
   * @param bridgeStartedMs the start time of the process last counted, or null when the instance never was
   */
  public record Counted(Long bridgeStartedMs, Map<BridgeUsage.Series, Cursor> cursors) {

    public static final Counted NEVER = new Counted(null, Map.of());
  }

  /**
   * The non-zero increases of {@code now} over {@code counted}, by series.
   *
   * @param originMs when this database began counting usage (epoch ms)
   */
  public static Map<BridgeUsage.Series, UsageCounters> of(Counted counted, BridgeUsage now, long originMs) {
    Map<BridgeUsage.Series, UsageCounters> increases = new HashMap<>();
    now.series().forEach((series, values) -> {
      UsageCounters increase = increase(counted, series, values, now.startedMs(), originMs);
      if (!increase.isZero()) {
        increases.put(series, increase);
      }
    });
    return increases;
  }

  private static UsageCounters increase(Counted counted, BridgeUsage.Series series, UsageCounters values,
      long startedMs, long originMs) {
    Cursor cursor = counted.cursors().get(series);
    if (cursor != null) {
      boolean sameProcess = cursor.startedMs() == startedMs && !values.anyLowerThan(cursor.counters());
      return sameProcess ? values.minus(cursor.counters()) : values;
    }
    if (counted.bridgeStartedMs() != null) {
      return values;
    }
    return startedMs != 0 && startedMs >= originMs ? values : UsageCounters.ZERO;
  }
}
