package dev.ollamabridge.console.files;

import java.util.List;

/**
 * Everything {@code nginx.conf} prints, each value already checked: the template only places them.
 *
 * @param fullConfig a whole nginx.conf (managed mode) or the part that goes inside {@code http {}}
 *     (system mode)
 * @param workerUser set when the console runs as root: the managed nginx's workers run as the
 *     console's user too, for the data directory (and the nginx temp files in it) is owner-only
 * @param revision the hash of this configuration, served back by {@code /nginx-health}
 * @param balance the balancing directive ({@code least_conn}, {@code ip_hash}, {@code hash $x
 *     consistent}), or null for round-robin
 * @param routing how requests are routed by model, or null when they are not
 * @param errorAnswers what nginx answers itself, by status, instead of its HTML pages
 * @param answersLog where nginx writes a JSON line for each request it answered itself (no bridge's
 *     answer reached the client), which the console reads for its totals; null for a system nginx,
 *     which cannot write into the console's data directory
 * @param requestsLog where nginx writes a JSON line for every request, with the id the bridge logs too
 */
public record NginxModel(
    boolean fullConfig,
    String workerUser,
    String prefix,
    String accessLog,
    String revision,
    String listen,
    String serverName,
    String balance,
    int keepalive,
    int readTimeoutSeconds,
    int nextUpstreamTries,
    int ratePerSecond,
    int burst,
    int maxBodyMb,
    Tls tls,
    List<Server> servers,
    Routing routing,
    List<ErrorAnswer> errorAnswers,
    String answersLog,
    String requestsLog) {

  /**
   * The shared memory of an upstream with this many servers, in KiB: nginx keeps each server's state
   * there (about 1 KiB with its name; 64 KiB held some 60 and refused more), so it grows with the
   * cluster, at twice that, from the 64 KiB a small one needs.
   */
  public static int zoneKib(int servers) {
    return 64 + 2 * servers;
  }

  /** A TLS listener, when a certificate and key are configured. */
  public record Tls(String listen, String cert, String key) {}

  /** One {@code server} line of the upstream: address, its options, and a comment saying whose it is. */
  public record Server(String address, String options, String comment) {}

  /**
   * Model-aware routing with njs: one upstream group per set of instances serving the same
   * models, a map from model name to group, and the served names for the lists nginx answers.
   *
   * @param loadModule the njs module to load, or null when nginx loads it itself
   * @param unknownModel {@code reject} or {@code any}
   * @param mapBucketSize {@code map_hash_bucket_size}: room for the longest name in one hash bucket
   * @param mapMaxSize {@code map_hash_max_size}: room for every name
   * @param namePages every served name, space-separated in pages short enough for one nginx
   *     token; router.js builds {@code /v1/models}, {@code /api/tags} and {@code /api/ps} from them
   * @param versionJson {@code GET /api/version}'s answer
   */
  public record Routing(String loadModule, String script, String unknownModel, List<Group> groups, List<MapEntry> map,
      int mapBucketSize, int mapMaxSize, List<String> namePages, String versionJson) {}

  /** An upstream group: its name, the models it serves (for a comment) and its servers. */
  public record Group(String name, String models, List<Server> servers) {}

  /** One line of the model → group map. */
  public record MapEntry(String model, String group) {}

  /**
   * One answer nginx gives itself, as JSON in both dialects: Ollama's under {@code /api/}, OpenAI's
   * elsewhere (as the bridges choose). The bodies go between single quotes in nginx.conf: they hold
   * no quote, backslash or {@code $}.
   *
   * @param retryAfterSeconds the {@code Retry-After} sent with it, or 0 for none
   */
  public record ErrorAnswer(int status, String openAi, String ollama, int retryAfterSeconds) {}

  /** A file under nginx's prefix: an absolute path for the console's own nginx, relative for an edge's. */
  public String path(String relative) {
    return prefix == null ? relative : prefix + "/" + relative;
  }

  NginxModel withRevision(String hash) {
    return new NginxModel(fullConfig, workerUser, prefix, accessLog, hash, listen, serverName, balance, keepalive,
        readTimeoutSeconds, nextUpstreamTries, ratePerSecond, burst, maxBodyMb, tls, servers, routing, errorAnswers,
        answersLog, requestsLog);
  }
}
