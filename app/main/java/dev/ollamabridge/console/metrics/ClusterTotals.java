package dev.ollamabridge.console.metrics;

import java.util.Collection;
import java.util.Objects;
import java.util.Optional;

/**
 * What the clients of the whole cluster got over the last interval: every bridge's answers, and the
 * requests nginx answered itself, which no bridge counts.
 *
 * @param errorsPerSecond the bridges' 5xx answers, and every error nginx answered itself
 * @param nginx nginx's own answers; null when the console runs no nginx of its own
 */
public record ClusterTotals(double requestsPerSecond, double errorsPerSecond, NginxAnswers.Figures nginx) {

  /** The sum of the bridges' latest figures (null where a bridge has none yet) and nginx's own answers. */
  public static ClusterTotals of(Collection<Figures> bridges, Optional<NginxAnswers> nginx) {
    NginxAnswers.Figures own = nginx.flatMap(NginxAnswers::latest).orElse(null);
    double requests = bridges.stream().filter(Objects::nonNull).mapToDouble(Figures::requestsPerSecond).sum();
    double errors = bridges.stream().filter(Objects::nonNull).mapToDouble(Figures::errorsPerSecond).sum();
    return own == null ? new ClusterTotals(requests, errors, null)
        : new ClusterTotals(requests + own.answersPerSecond(), errors + own.errorsPerSecond(), own);
  }
}
