package dev.ollamabridge.console.metrics;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * A window of figures as parallel columns, the layout uPlot draws ({@code [x, y1, y2, …]}): one
 * time column and one column per figure, all the same length. Where the bridge could not be read
 * for a while, a row of nulls breaks the lines instead of joining the points on either side. Serialised
 * with Jackson, each column is a JSON array, gaps are {@code null}.
 *
 * @param epochSeconds when each row was taken, in seconds since the epoch (with milliseconds as the fraction)
 */
public record Series(double[] epochSeconds, Double[] requestsPerSecond, Double[] errorsPerSecond,
    Double[] latencyP50Ms, Double[] latencyP95Ms, Double[] firstTokenP50Ms, Double[] cacheHitRatio,
    Double[] completionTokensPerSecond, Double[] inFlight) {

  /** The figures in order, with a row of nulls after any point followed by a silence longer than {@code gap}. */
  static Series of(List<Figures> figures, Duration gap) {
    List<Figures> rows = new ArrayList<>();
    List<Instant> times = new ArrayList<>();
    Figures previous = null;
    for (Figures figure : figures) {
      if (previous != null && Duration.between(previous.at(), figure.at()).compareTo(gap) > 0) {
        rows.add(null);
        times.add(previous.at().plusMillis(1));
      }
      rows.add(figure);
      times.add(figure.at());
      previous = figure;
    }
    return new Series(
        times.stream().mapToDouble(at -> at.toEpochMilli() / 1000.0).toArray(),
        column(rows, Figures::requestsPerSecond),
        column(rows, Figures::errorsPerSecond),
        column(rows, Figures::latencyP50Ms),
        column(rows, Figures::latencyP95Ms),
        column(rows, Figures::firstTokenP50Ms),
        column(rows, Figures::cacheHitRatio),
        column(rows, Figures::completionTokensPerSecond),
        column(rows, figure -> (double) figure.inFlight()));
  }

  public int size() {
    return epochSeconds.length;
  }

  private static Double[] column(List<Figures> rows, Function<Figures, Double> value) {
    return rows.stream().map(row -> row == null ? null : value.apply(row)).toArray(Double[]::new);
  }
}
