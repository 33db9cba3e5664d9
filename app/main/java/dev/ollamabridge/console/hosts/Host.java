package dev.ollamabridge.console.hosts;

import dev.ollamabridge.console.instances.HostRuntimes;
import dev.ollamabridge.link.EdgeReport;
import dev.ollamabridge.link.HostFacts;
import java.time.Instant;

/**
 * A machine bridges run on: {@code local} (the console's own) or one that joined through its agent.
 * A row of {@code hosts}.
 *
 * @param advertise the address its bridges are reached at
 * @param changedAt when it entered {@code state}
 * @param lastReportAt when its agent last reported, as last stored (the live time is the service's)
 * @param facts what its agent last told of itself, or null before its first report
 * @param certSha256 SHA-256 of the client certificate it holds now; any other is refused
 * @param desiredRevision the revision of the desired state the console renders for it
 * @param desiredHash identifies that document's content, so a restarted console keeps the revision
 * @param appliedRevision the revision its agent last said it runs
 * @param edge whether it runs an nginx of the cluster, applied by its agent
 * @param edgeListen the address that nginx listens on, or null for every address of the host (the port
 *     is always the cluster's {@code nginx.listen} port)
 * @param edgeReport what its agent last said of that nginx, as last stored, or null
 */
public record Host(
    String name,
    String advertise,
    HostState state,
    Instant joinedAt,
    Instant changedAt,
    Instant lastReportAt,
    String version,
    HostFacts facts,
    String certSha256,
    Instant certExpiresAt,
    long desiredRevision,
    String desiredHash,
    long appliedRevision,
    boolean edge,
    String edgeListen,
    EdgeReport edgeReport) {

  public boolean local() {
    return name.equals(HostRuntimes.LOCAL);
  }
}
