package dev.ollamabridge.console.instances;

import dev.ollamabridge.cli.HostPort;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One bridge the console balances to: launched here ({@code managed}) or running elsewhere
 * ({@code external}, checked and balanced, never launched). A row of {@code instances}.
 *
 * @param host the machine it runs on: {@code local} (the console's own) or a host that joined through its agent
 * @param listenHost the address the bridge listens on, on that machine; on a remote host, one that nginx
 *     and the console reach it at
 * @param upstreamApiKey a secret: stored, passed to the bridge, never shown back in full
 * @param clientKeys keys the bridge demands from its clients; secrets as well
 * @param allowedOrigins browser origins whose pages the bridge serves besides its own addresses ({@code *}: any)
 * @param models the models the instance serves whatever its backend lists (empty: as discovered)
 * @param modelAliases {@code CLIENT=BACKEND}: clients ask for CLIENT, the backend gets BACKEND
 * @param maxConcurrent the bridge's generation slots, the backend's parallel requests (0: no limit)
 * @param queueSize how many requests may wait for a slot; more are refused with 503
 * @param queueTimeoutMs how long one may wait before it is refused with 503
 * @param logBodies whether the bridge writes prompts and answers into its request log ({@code --log-bodies})
 * @param version bumped by every change; a change made against an older version is refused
 */
public record Instance(
    long id,
    String name,
    String host,
    String listenHost,
    int port,
    String upstreamUrl,
    String upstreamDialect,
    int weight,
    String role,
    int maxFails,
    int failTimeoutSeconds,
    boolean cacheEnabled,
    String cacheDir,
    boolean sharedMode,
    String upstreamApiKey,
    List<String> clientKeys,
    int rateLimit,
    boolean thinkFilter,
    boolean enabled,
    boolean managed,
    List<String> allowedOrigins,
    List<String> models,
    List<String> modelAliases,
    int maxConcurrent,
    int queueSize,
    int queueTimeoutMs,
    boolean logBodies,
    long version,
    Instant createdAt,
    Instant updatedAt) {

  public Instance {
    clientKeys = List.copyOf(clientKeys);
    allowedOrigins = List.copyOf(allowedOrigins);
    models = List.copyOf(models);
    modelAliases = List.copyOf(modelAliases);
  }

  /** An instance that logs no bodies: what every instance was before they could (and what tests mostly need). */
  public Instance(long id, String name, String host, String listenHost, int port, String upstreamUrl, String upstreamDialect,
      int weight, String role, int maxFails, int failTimeoutSeconds, boolean cacheEnabled, String cacheDir, boolean sharedMode,
      String upstreamApiKey, List<String> clientKeys, int rateLimit, boolean thinkFilter, boolean enabled, boolean managed,
      List<String> allowedOrigins, List<String> models, List<String> modelAliases, int maxConcurrent, int queueSize,
      int queueTimeoutMs, long version, Instant createdAt, Instant updatedAt) {
    this(id, name, host, listenHost, port, upstreamUrl, upstreamDialect, weight, role, maxFails, failTimeoutSeconds,
        cacheEnabled, cacheDir, sharedMode, upstreamApiKey, clientKeys, rateLimit, thinkFilter, enabled, managed,
        allowedOrigins, models, modelAliases, maxConcurrent, queueSize, queueTimeoutMs, false, version, createdAt, updatedAt);
  }

  /** The aliases as CLIENT → BACKEND, in the order given. */
  public Map<String, String> aliasMap() {
    Map<String, String> aliases = new LinkedHashMap<>();
    for (String alias : modelAliases) {
      int equals = alias.indexOf('=');
      aliases.put(alias.substring(0, equals), alias.substring(equals + 1));
    }
    return aliases;
  }

  /** Where the bridge listens, as {@code host:port} ({@code [v6]:port} for IPv6). */
  public String address() {
    return (listenHost.contains(":") ? "[" + listenHost + "]" : listenHost) + ":" + port;
  }

  /** The address a local client dials: a wildcard listen address is reached on loopback. */
  public String reachableAddress() {
    return new HostPort(listenHost, port).dialAddress();
  }
}
