package dev.ollamabridge.console.instances;

import dev.ollamabridge.console.settings.Setting;
import dev.ollamabridge.console.settings.Settings;
import java.util.List;

/**
 * How long and how large the bridges' request logs grow, from the settings {@code logs.requests_max_mb}
 * and {@code logs.requests_keep_days}: the same flags for the console's bridges and every host's.
 */
public record RequestLogRetention(int maxMb, int keepDays) {

  /** The bridge's own defaults, which its flags repeat. */
  public static final RequestLogRetention DEFAULT = new RequestLogRetention(10, 30);

  public static RequestLogRetention of(Settings settings) {
    return new RequestLogRetention(Integer.parseInt(settings.get(Setting.LOGS_REQUESTS_MAX_MB)),
        Integer.parseInt(settings.get(Setting.LOGS_REQUESTS_KEEP_DAYS)));
  }

  /** {@code --request-log-max-bytes N --request-log-max-age-days D}. */
  public List<String> flags() {
    return List.of("--request-log-max-bytes", Long.toString(maxMb * 1024L * 1024L),
        "--request-log-max-age-days", Integer.toString(keepDays));
  }
}
