package dev.ollamabridge.console.metrics;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The whole cluster's traffic over the window, as chart columns (uPlot's layout, as {@link Series}):
 * every bridge's requests and errors, and the requests nginx answered itself. Each source is read at
 * its own moments, so the rows are intervals of the scrape interval: per interval, each source's
 * figures (averaged, should it have two there) are added up.
 *
 * @param epochSeconds the end of each interval, in seconds since the epoch
 * @param nginxErrorsPerSecond the errors nginx answered itself; all null when the console runs no nginx of its own
 */
public record ClusterSeries(double[] epochSeconds, Double[] requestsPerSecond, Double[] errorsPerSecond,
    Double[] nginxErrorsPerSecond) {

  static ClusterSeries of(Collection<List<Figures>> bridges, List<NginxAnswers.Figures> nginx, boolean withNginx,
      Duration interval) {
    long step = Math.max(1, interval.toMillis());
    Map<Long, Row> rows = new TreeMap<>();
    for (List<Figures> bridge : bridges) {
      Map<Long, double[]> own = new TreeMap<>(); // requests, errors, count
      for (Figures figure : bridge) {
        double[] sums = own.computeIfAbsent(slot(figure.at(), step), key -> new double[3]);
        sums[0] += figure.requestsPerSecond();
        sums[1] += figure.errorsPerSecond();
        sums[2]++;
      }
      own.forEach((slot, sums) -> rows.computeIfAbsent(slot, key -> new Row()).add(sums[0] / sums[2], sums[1] / sums[2], 0));
    }
    Map<Long, double[]> answers = new TreeMap<>();
    for (NginxAnswers.Figures figure : nginx) {
      double[] sums = answers.computeIfAbsent(slot(figure.at(), step), key -> new double[3]);
      sums[0] += figure.answersPerSecond();
      sums[1] += figure.errorsPerSecond();
      sums[2]++;
    }
    answers.forEach((slot, sums) -> rows.computeIfAbsent(slot, key -> new Row())
        .add(sums[0] / sums[2], sums[1] / sums[2], sums[1] / sums[2]));
    int n = rows.size();
    double[] times = new double[n];
    Double[] requests = new Double[n];
    Double[] errors = new Double[n];
    Double[] nginxErrors = new Double[n];
    int i = 0;
    for (Map.Entry<Long, Row> row : rows.entrySet()) {
      times[i] = (row.getKey() + 1) * step / 1000.0;
      requests[i] = row.getValue().requests;
      errors[i] = row.getValue().errors;
      nginxErrors[i] = withNginx ? row.getValue().nginxErrors : null;
      i++;
    }
    return new ClusterSeries(times, requests, errors, nginxErrors);
  }

  private static long slot(Instant at, long step) {
    return Math.floorDiv(at.toEpochMilli(), step);
  }

  private static final class Row {
    double requests;
    double errors;
    double nginxErrors;

    void add(double requests, double errors, double nginxErrors) {
      this.requests += requests;
      this.errors += errors;
      this.nginxErrors += nginxErrors;
    }
  }
}
