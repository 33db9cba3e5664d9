package dev.ollamabridge.console.metrics;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * What a bridge did between two scrapes, as the dashboard shows it. Rates are per second over the
 * interval; latencies and time to first token are quantiles of the interval's observations, over
 * all routes, in milliseconds.
 *
 * @param at when the later of the two scrapes was taken
 * @param errorsPerSecond answers with a 5xx status (the bridge or its upstream failed); 4xx answers
 *     (a bad request, a wrong key, the rate limit) are the client's and not counted
 * @param latencyP50Ms median time from request to last byte; null when nothing was answered
 * @param latencyP95Ms 95th percentile of the same; null when nothing was answered
 * @param firstTokenP50Ms median time to the first answer text; null when no answer text was sent
 * @param cacheHitRatio hits over hits and misses; null when no request could use the cache
 * @param completionTokensPerSecond completion tokens of completed answers, as the upstream counted them
 * @param inFlight requests being answered when the later scrape was taken
 * @param queued generations waiting for one of the bridge's slots ({@code --max-concurrent}) then
 * @param refusedPerSecond generations refused with 503 for want of a slot, which nginx sent elsewhere
 */
public record Figures(Instant at, double requestsPerSecond, double errorsPerSecond, Double latencyP50Ms,
    Double latencyP95Ms, Double firstTokenP50Ms, Double cacheHitRatio, double completionTokensPerSecond,
    long inFlight,
    long queued,
    double refusedPerSecond) {

  /** The figures of the interval between two scrapes of one bridge; the later one must be later. */
  static Figures between(Scrape earlier, Scrape later) {
    double seconds = Duration.between(earlier.at(), later.at()).toNanos() / 1e9;
    if (!(seconds > 0)) {
      throw new IllegalArgumentException("scrapes at " + earlier.at() + " and " + later.at() + " span no time");
    }
    Map<Map<String, String>, Double> requests = later.increases(earlier, "bridge_requests_total");
    double hits = sum(requests, "cache", "hit");
    double misses = sum(requests, "cache", "miss");
    Buckets latency = Buckets.of(later.increases(earlier, "bridge_request_duration_seconds_bucket"));
    Buckets firstToken = Buckets.of(later.increases(earlier, "bridge_time_to_first_token_seconds_bucket"));
    double errors = requests.entrySet().stream().filter(series -> serverError(series.getKey().get("status")))
        .mapToDouble(Map.Entry::getValue).sum();
    double tokens = later.increases(earlier, "bridge_completion_tokens_total").values().stream()
        .mapToDouble(Double::doubleValue).sum();
    double refused = later.increases(earlier, "bridge_admission_rejections_total").values().stream()
        .mapToDouble(Double::doubleValue).sum();
    return new Figures(
        later.at(),
        sum(requests, null, null) / seconds,
        errors / seconds,
        millis(latency.quantile(0.5)),
        millis(latency.quantile(0.95)),
        millis(firstToken.quantile(0.5)),
        hits + misses > 0 ? hits / (hits + misses) : null,
        tokens / seconds,
        Math.round(later.sum("bridge_requests_in_flight")),
        Math.round(later.sum("bridge_admission_queue_depth")),
        refused / seconds);
  }

  private static double sum(Map<Map<String, String>, Double> series, String label, String value) {
    return series.entrySet().stream().filter(entry -> label == null || value.equals(entry.getKey().get(label)))
        .mapToDouble(Map.Entry::getValue).sum();
  }

  private static boolean serverError(String status) {
    return status != null && status.length() == 3 && status.charAt(0) == '5';
  }

  private static Double millis(Double seconds) {
    return seconds == null ? null : seconds * 1000;
  }
}
