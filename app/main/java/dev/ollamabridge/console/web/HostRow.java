package dev.ollamabridge.console.web;

import dev.ollamabridge.console.hosts.Host;
import dev.ollamabridge.console.hosts.HostService.HostView;
import dev.ollamabridge.console.hosts.HostState;
import dev.ollamabridge.link.HostFacts;
import dev.ollamabridge.link.Report;
import java.util.Locale;

/**
 * One host as a row of the Hosts page shows it: every value a word or a formatted figure, or null
 * where nothing is known yet. Texts from the agent (its version, its JDK, an apply error) are foreign
 * and reach the page escaped, as jte escapes every value. Times are ISO instants, shown in the browser's zone.
 *
 * @param lastReport when its agent last reported, or null for {@code local}, which needs no agent
 * @param memory what is available of the machine's memory, of how much, e.g. {@code 12.1 / 31.3 GiB}
 * @param bridges how many instances are on it
 * @param behind whether the agent runs another revision than the console's desired one
 * @param certExpires when its client certificate expires, or null for {@code local}
 * @param edge whether its agent runs an nginx of the cluster
 * @param edgeListen where that nginx listens, or null for every address of the host
 */
public record HostRow(
    String name,
    boolean local,
    String advertise,
    String state,
    boolean connected,
    String lastReport,
    String version,
    String cores,
    String memory,
    String disk,
    String jdk,
    long bridges,
    long desired,
    long applied,
    boolean behind,
    String applyError,
    String certExpires,
    boolean edge,
    String edgeListen) {

  private static final double GIB = 1024.0 * 1024 * 1024;

  static HostRow of(HostView view, long bridges) {
    Host host = view.host();
    Report report = view.report();
    HostFacts facts = report != null ? report.facts() : host.facts();
    long applied = report != null ? report.applied() : host.appliedRevision();
    return new HostRow(host.name(), host.local(), host.advertise(), host.state().word(), view.connected(),
        host.local() || view.lastSeen() == null ? null : view.lastSeen().toString(),
        facts != null ? facts.version() : host.version(),
        facts == null ? null : facts.cores() + (facts.cores() == 1 ? " core" : " cores"),
        facts == null ? null : gib(facts.memoryAvailableBytes()) + " / " + gib(facts.memoryBytes()) + " GiB",
        facts == null ? null : gib(facts.diskFreeBytes()) + " GiB free",
        facts == null ? null : facts.jdk(),
        bridges, host.desiredRevision(), applied, !host.local() && applied != host.desiredRevision(),
        report == null ? null : report.applyError(),
        host.certExpiresAt() == null ? null : host.certExpiresAt().toString(), host.edge(), host.edgeListen());
  }

  /** A CSS class for the state: Ready green, NotReady amber, Revoked grey; the word is always shown too. */
  public String stateTone() {
    return switch (state) {
      case "Ready" -> "good";
      case "NotReady" -> "busy";
      default -> "idle";
    };
  }

  public boolean revoked() {
    return state.equals(HostState.REVOKED.word());
  }

  private static String gib(long bytes) {
    return String.format(Locale.ROOT, "%.1f", bytes / GIB);
  }
}
