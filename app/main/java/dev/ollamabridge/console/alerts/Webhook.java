package dev.ollamabridge.console.alerts;

import java.time.Instant;

/**
 * Where alerts are posted.
 *
 * @param url the whole URL: often a secret itself (a Slack webhook's path is its token), so pages and the
 *     API show {@link #shownUrl()} only
 * @param format {@code generic} (the console's JSON) or {@code slack} (Slack's incoming-webhook shape)
 */
public record Webhook(long id, String name, String url, String format, boolean enabled, Instant createdAt) {

  public static final String GENERIC = "generic";
  public static final String SLACK = "slack";

  /** The URL with its path, query and credentials hidden but for the path's last 4 characters. */
  public String shownUrl() {
    okhttp3.HttpUrl parsed = okhttp3.HttpUrl.parse(url);
    if (parsed == null) {
      return "…";
    }
    String origin = parsed.scheme() + "://" + parsed.host()
        + (parsed.port() == okhttp3.HttpUrl.defaultPort(parsed.scheme()) ? "" : ":" + parsed.port());
    String path = parsed.encodedPath();
    return path.length() <= 1 && parsed.query() == null ? origin + path
        : origin + "/…" + path.substring(Math.max(1, path.length() - 4));
  }
}
