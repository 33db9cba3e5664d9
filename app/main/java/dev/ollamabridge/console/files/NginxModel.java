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
    List<Server> servers) {

  /** A TLS listener, when a certificate and key are configured. */
  public record Tls(String listen, String cert, String key) {}

  /** One {@code server} line of the upstream: address, its options, and a comment saying whose it is. */
  public record Server(String address, String options, String comment) {}

  NginxModel withRevision(String hash) {
    return new NginxModel(fullConfig, workerUser, prefix, accessLog, hash, listen, serverName, balance, keepalive,
        readTimeoutSeconds, nextUpstreamTries, ratePerSecond, burst, maxBodyMb, tls, servers);
  }
}
