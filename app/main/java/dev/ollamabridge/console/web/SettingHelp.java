package dev.ollamabridge.console.web;

import dev.ollamabridge.console.settings.Setting;
import java.util.EnumMap;
import java.util.Map;

/**
 * What a person reads about a setting on the pages: a label, the unit of its number (or null), and
 * what it does. The key stays beside it, small, for those who use the API.
 */
public record SettingHelp(String label, String unit, String description) {

  private static final Map<Setting, SettingHelp> ALL = new EnumMap<>(Setting.class);

  static {
    put(Setting.DEFAULT_UPSTREAM, "Default upstream", null,
        "The backend a new instance forwards to when its form leaves the upstream blank.");
    put(Setting.FIRST_PORT, "First port", null,
        "New instances take the first free port from here up.");
    put(Setting.INSTANCE_PORTS, "Instance ports", "FROM-TO",
        "The ports an instance may listen on; widen it (e.g. 80-65535) for lower ones.");
    put(Setting.HEALTH_INTERVAL_MS, "Check every", "ms", "How often each enabled instance's /health is asked.");
    put(Setting.HEALTH_TIMEOUT_MS, "Check timeout", "ms", "A check that takes longer counts as failed.");
    put(Setting.HEALTH_RISE, "Passes to turn healthy", "in a row",
        "A down instance gets traffic again after this many passed checks.");
    put(Setting.HEALTH_FALL, "Failures to turn unhealthy", "in a row",
        "A healthy instance is taken out of nginx after this many failed checks.");
    put(Setting.SUPERVISE_STARTSECS, "Start-up time", "s", "A bridge that stays up this long counts as started.");
    put(Setting.SUPERVISE_STARTRETRIES, "Start retries", "tries",
        "A bridge that fails to start is tried this many more times, then left FATAL.");
    put(Setting.SUPERVISE_STOPWAITSECS, "Stop wait", "s",
        "After SIGTERM a bridge gets this long to finish its answers before SIGKILL.");
    put(Setting.SUPERVISE_LOG_MAX_MB, "Log size", "MiB", "Each bridge's log is rotated at this size.");
    put(Setting.SUPERVISE_LOG_BACKUPS, "Log backups", "files", "Rotated logs kept per bridge.");
    put(Setting.SUPERVISE_BACKOFF_MS, "First retry after", "ms",
        "The wait before the first retry of a failed start, doubling for each further one up to 30 s.");
    put(Setting.BRIDGE_JAVA, "Java for the bridges", null,
        "auto: the newest JDK 21 or later found, else the console's own; or the path of a java.");
    put(Setting.EVENTS_KEEP, "Events kept", "events", "The audit log keeps this many of its newest events.");
    put(Setting.EVENTS_KEEP_DAYS, "Events kept for", "days", "Older events are deleted.");
    put(Setting.NGINX_REVISIONS_KEEP, "Revisions kept", "revisions",
        "nginx revisions kept; the one nginx serves is always kept.");
    put(Setting.NGINX_REVISIONS_KEEP_DAYS, "Revisions kept for", "days", "Older revisions are deleted.");
    put(Setting.MODELS_REFRESH_S, "Ask for models every", "s",
        "How often the console asks each healthy bridge which models it serves (also when it turns healthy).");
    put(Setting.METRICS_SCRAPE_INTERVAL_MS, "Read metrics every", "ms",
        "How often the console reads each running bridge's /metrics for the figures and charts (an hour is kept).");
    put(Setting.ROUTING_BY_MODEL, "Route by model", null,
        "auto: nginx sends each request only to the instances serving its model, when nginx has the njs module; "
            + "off: to any instance.");
    put(Setting.ROUTING_UNKNOWN_MODEL, "Unknown models", null,
        "reject: a model no instance serves gets a 404 naming the models served; any: it goes to every instance.");
    put(Setting.NGINX_MODE, "nginx mode", null,
        "managed: the console runs its own nginx; system: it writes a file and runs a reload command; off: render only.");
    put(Setting.NGINX_LISTEN, "Listen address", null, "Where clients reach nginx: HOST:PORT.");
    put(Setting.NGINX_SERVER_NAME, "Server name", null, "nginx's server_name; _ answers any host name.");
    put(Setting.NGINX_BALANCE, "Balancing", null,
        "least_conn, round_robin, ip_hash, or hash by the key below (backups are not allowed with the hash methods).");
    put(Setting.NGINX_HASH_KEY, "Hash key", null, "nginx variables to hash on with balancing hash, e.g. $http_x_session_id.");
    put(Setting.NGINX_KEEPALIVE, "Idle connections kept", "per worker", "Keep-alive connections to the bridges.");
    put(Setting.NGINX_READ_TIMEOUT_S, "Read timeout", "s", "How long nginx waits between two reads from a bridge.");
    put(Setting.NGINX_NEXT_UPSTREAM_TRIES, "Tries per request", "instances",
        "A failed request is tried on at most this many instances.");
    put(Setting.NGINX_RATE, "Rate limit", "requests per second", "Per client address, at nginx.");
    put(Setting.NGINX_BURST, "Burst", "requests", "Requests over the rate still served at once; beyond them nginx answers 429.");
    put(Setting.NGINX_MAX_BODY_MB, "Largest request body", "MiB", "Larger requests get 413.");
    put(Setting.NGINX_TLS_LISTEN, "TLS listen address", null, "HOST:PORT for HTTPS, used when a certificate is set.");
    put(Setting.NGINX_TLS_CERT, "TLS certificate", null, "A file under the TLS directory; empty: no TLS.");
    put(Setting.NGINX_TLS_KEY, "TLS key", null, "The certificate's key, a file under the TLS directory.");
    put(Setting.NGINX_TLS_DIR, "TLS directory", null, "The only directory the certificate and key may be in.");
    put(Setting.NGINX_SYSTEM_PATH, "Config file (system mode)", null, "Where system mode writes nginx's configuration.");
    put(Setting.NGINX_TEST_COMMAND, "Test command (system mode)", null, "Run to test a configuration before it is used.");
    put(Setting.NGINX_RELOAD_COMMAND, "Reload command (system mode)", null, "Run to have nginx load the new configuration.");
    put(Setting.CACHE_ROOTS, "Cache roots", null, "Where instances may keep their caches, besides the data directory's cache/.");
    put(Setting.CACHE_REDIS_URL, "Shared Redis", "redis://HOST:PORT[/DB]",
        "Empty: off. A Redis every bridge with the cache on shares, behind its memory tier: an answer cached by one"
            + " bridge is a hit on every other. No password here: it comes from the console's environment.");
    put(Setting.CACHE_REDIS_PASSWORD, "Shared Redis password", null,
        "The password of the Redis above, given to the bridges through their environment; never stored or shown.");
    put(Setting.CACHE_REDIS_MANAGED, "Managed Redis", "off or HOST:PORT",
        "The console runs redis-server itself, bound here, with a password it generates; the bridges use it when"
            + " the Shared Redis above is empty. Bridges on other hosts must reach this address.");
    put(Setting.CACHE_REDIS_MAX_MEMORY_MB, "Managed Redis memory", "MiB",
        "The managed Redis's maxmemory; past it the least recently used answers are dropped (allkeys-lru).");
    put(Setting.USAGE_KEEP_DAYS, "Usage kept for", "days", "Hourly usage older than this is deleted (checked every hour).");
    put(Setting.BACKUP_SCHEDULE, "Scheduled backup", "off or daily",
        "daily: a backup without secrets into the backup directory once a day. Secrets only through the command line.");
    put(Setting.BACKUP_KEEP, "Backups kept", "newest", "Older backups in the backup directory are deleted after each new one.");
    put(Setting.BACKUP_DIR, "Backup directory", null, "Empty: the data directory's backups/.");
    put(Setting.KEYS_REQUIRED, "Client keys required", null,
        "auto: every request through nginx and the bridges needs a client key once one exists (Keys page); on: always;"
            + " off: never (keys still limit the requests that carry them).");
    put(Setting.LOGS_REQUESTS_MAX_MB, "Request log size", "MiB",
        "Each bridge's request log (the Logs page) is rotated at this size, on every host; bridges take a change when they next start.");
    put(Setting.LOGS_REQUESTS_KEEP_DAYS, "Request logs kept for", "days",
        "Rotated request logs older than this are deleted; bridges take a change when they next start.");
  }

  private static void put(Setting setting, String label, String unit, String description) {
    ALL.put(setting, new SettingHelp(label, unit, description));
  }

  /** The help of a setting; its key as the label for one nobody described yet. */
  public static SettingHelp of(Setting setting) {
    return ALL.getOrDefault(setting, new SettingHelp(setting.key(), null, ""));
  }
}
