package dev.ollamabridge.console.instances;

import dev.ollamabridge.cli.HostPort;
import java.time.Instant;
import java.util.List;

/**
 * One bridge the console balances to: launched here ({@code managed}) or running elsewhere
 * ({@code external}, checked and balanced, never launched). A row of {@code instances}.
 *
 * @param upstreamApiKey a secret: stored, passed to the bridge, never shown back in full
 * @param clientKeys keys the bridge demands from its clients; secrets as well
 * @param allowedOrigins browser origins whose pages the bridge serves besides its own addresses ({@code *}: any)
 * @param version bumped by every change; a change made against an older version is refused
 */
public record Instance(
    long id,
    String name,
    String host,
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
    long version,
    Instant createdAt,
    Instant updatedAt) {

  public Instance {
    clientKeys = List.copyOf(clientKeys);
    allowedOrigins = List.copyOf(allowedOrigins);
  }

  /** Where the bridge listens, as {@code host:port} ({@code [v6]:port} for IPv6). */
  public String address() {
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
  }

  /** The address a local client dials: a wildcard listen address is reached on loopback. */
  public String reachableAddress() {
    return new HostPort(host, port).dialAddress();
  }
}
