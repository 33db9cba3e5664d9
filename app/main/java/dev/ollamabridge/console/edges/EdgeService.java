package dev.ollamabridge.console.edges;

import dev.ollamabridge.cli.HostPort;
import dev.ollamabridge.console.events.EventLog;
import dev.ollamabridge.console.files.GeneratedFiles;
import dev.ollamabridge.console.hosts.EdgeListener;
import dev.ollamabridge.console.hosts.Host;
import dev.ollamabridge.console.hosts.HostService;
import dev.ollamabridge.console.hosts.HostState;
import dev.ollamabridge.console.nginx.ConfigSource;
import dev.ollamabridge.console.nginx.Revision;
import dev.ollamabridge.console.nginx.RevisionRepository;
import dev.ollamabridge.console.settings.Setting;
import dev.ollamabridge.console.settings.Settings;
import dev.ollamabridge.link.EdgeReport;
import dev.ollamabridge.link.EdgeSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster's edges: hosts whose agent runs an nginx of the cluster, and the console's own nginx.
 * Whenever nginx.conf would be applied again, or a host's edge role changes, it renders each edge
 * host's config and gives it to that host's desired state, which the link sends level-triggered: a
 * Ready edge that is behind, or one that reconnects, gets the current one without anyone asking.
 * Changes within the debounce window share one render. It keeps what the edges report in the events.
 */
public final class EdgeService implements EdgeListener, AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(EdgeService.class);

  private final ConfigSource configs;
  private final HostService hosts;
  private final RevisionRepository revisions;
  private final Settings settings;
  private final boolean ownNginx;
  private final EventLog events;
  private final Duration debounce;
  private final ScheduledExecutorService worker = Executors.newSingleThreadScheduledExecutor(task -> {
    Thread thread = new Thread(task, "edge-publish");
    thread.setDaemon(true);
    return thread;
  });
  private boolean scheduled;
  private volatile String current;

  /**
   * @param ownNginx whether the console runs an nginx of its own (nginx.mode is not off): the {@code
   *     local} edge
   */
  public EdgeService(ConfigSource configs, HostService hosts, RevisionRepository revisions, Settings settings,
      boolean ownNginx, EventLog events, Duration debounce) {
    this.configs = configs;
    this.hosts = hosts;
    this.revisions = revisions;
    this.settings = settings;
    this.ownNginx = ownNginx;
    this.events = events;
    this.debounce = debounce;
  }

  /** Renders and publishes soon; calls within the debounce window share one render. */
  public synchronized void changed() {
    if (!scheduled) {
      scheduled = true;
      worker.schedule(this::publishScheduled, debounce.toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  private void publishScheduled() {
    synchronized (this) {
      scheduled = false;
    }
    publish();
  }

  /**
   * Renders every edge host's config now and gives it to its desired state (no config to a host that
   * is no edge). A state the templates refuse publishes nothing: the edges keep what they run.
   */
  public void publish() {
    try {
      List<Host> all = hosts.list().stream().map(HostService.HostView::host)
          .filter(host -> !host.local() && host.state() != HostState.REVOKED).toList();
      List<GeneratedFiles.Edge> edges = all.stream().filter(Host::edge)
          .map(host -> new GeneratedFiles.Edge(host.name(), host.edgeListen())).toList();
      Map<String, EdgeSpec> specs = configs.edges(edges);
      current = specs.values().stream().findFirst().map(EdgeSpec::hash).orElseGet(configs::revision);
      for (Host host : all) {
        hosts.publishEdge(host.name(), specs.get(host.name()));
      }
    } catch (RuntimeException e) {
      log.warn("edges: nothing was published, the edges keep what they run: {}", e.getMessage());
    }
  }

  @Override
  public void roleChanged(String host) {
    changed();
  }

  /** Records an edge's refusals, and its catching up after one. */
  @Override
  public void reported(String host, EdgeReport before, EdgeReport now) {
    if (now == null) {
      return;
    }
    boolean newAttempt = now.hash() != null && now.result() != null
        && (before == null || !now.hash().equals(before.hash()) || now.atEpochMs() != before.atEpochMs());
    if (newAttempt && !now.result().equals("applied")) {
      events.record("host:" + host, "nginx.edge_" + now.result(), host, "host " + host + " "
          + (now.result().equals("rejected") ? "refused" : "failed to apply") + " revision " + now.hash()
          + (now.message() == null ? "" : ": " + now.message()));
    }
    boolean wasBehind = before != null && before.result() != null && !before.result().equals("applied");
    if (wasBehind && now.served() != null && now.served().equals(current) && !now.served().equals(before.served())) {
      events.record("host:" + host, "nginx.edge_caught_up", host, "host " + host + " serves revision " + now.served()
          + " again, the cluster's current one");
    }
  }

  /** Every edge, the console's own first, and whether each Ready one serves the current revision. */
  public EdgeOverview overview() {
    String revision = current != null ? current : renderedRevision();
    List<EdgeRow> rows = new ArrayList<>();
    if (ownNginx) {
      rows.add(own(revision));
    }
    int port = HostPort.parse(settings.get(Setting.NGINX_LISTEN)).port();
    for (HostService.HostView view : hosts.list()) {
      Host host = view.host();
      if (host.local() || !host.edge() || host.state() == HostState.REVOKED) {
        continue;
      }
      EdgeReport report = view.report() != null ? view.report().edge() : host.edgeReport();
      String listen = new HostPort(host.edgeListen() == null ? "0.0.0.0" : host.edgeListen(), port).toString();
      rows.add(report == null
          ? new EdgeRow(host.name(), false, host.state().word(), listen, null, null, null, false, null, null)
          : new EdgeRow(host.name(), false, host.state().word(), listen, report.served(), idOf(report.served()),
              report.servedSinceEpochMs() > 0 ? Instant.ofEpochMilli(report.servedSinceEpochMs()) : null,
              revision.equals(report.served()), report.hash() == null ? null : new EdgeRow.Attempt(report.hash(),
                  report.result(), report.message(), report.output(), Instant.ofEpochMilli(report.atEpochMs())),
              report.nginx()));
    }
    return new EdgeOverview(revision, idOf(revision), rows, summary(revision, rows),
        rows.stream().filter(EdgeRow::ready).allMatch(EdgeRow::current));
  }

  private String renderedRevision() {
    try {
      return configs.revision();
    } catch (RuntimeException e) {
      return "unknown";
    }
  }

  /** The console's own nginx, as its revisions tell it. */
  private EdgeRow own(String revision) {
    Optional<Revision> served = revisions.lastApplied();
    EdgeRow.Attempt attempt = revisions.latest(1).stream().findFirst()
        .map(last -> new EdgeRow.Attempt(last.hash(), last.result(), last.message(), last.testOutput(), last.createdAt()))
        .orElse(null);
    return new EdgeRow("local", true, "Ready", settings.get(Setting.NGINX_LISTEN), served.map(Revision::hash).orElse(null),
        served.map(Revision::id).orElse(null), served.map(Revision::createdAt).orElse(null),
        served.map(r -> r.hash().equals(revision)).orElse(false), attempt, null);
  }

  private Long idOf(String hash) {
    return hash == null ? null : revisions.findByHash(hash).map(Revision::id).orElse(null);
  }

  /** {@code Revision X applied on every Ready edge}, or which Ready edges refused it and which are behind. */
  static String summary(String revision, List<EdgeRow> rows) {
    List<EdgeRow> ready = rows.stream().filter(EdgeRow::ready).toList();
    if (rows.isEmpty()) {
      return "No edges: nginx.mode is off and no host is an edge";
    }
    if (ready.isEmpty()) {
      return "Revision " + revision + ": no edge is Ready";
    }
    List<String> behind = new ArrayList<>();
    for (EdgeRow row : ready) {
      if (row.current()) {
        continue;
      }
      if (row.refused(revision)) {
        behind.add(row.host() + " " + (row.attempt().result().equals("rejected") ? "refused" : "failed")
            + (row.attempt().message() == null ? "" : " (" + row.attempt().message() + ")"));
      } else {
        behind.add(row.host() + " behind");
      }
    }
    long notReady = rows.size() - ready.size();
    String away = notReady == 0 ? "" : "; " + notReady + (notReady == 1 ? " edge is" : " edges are") + " NotReady";
    return behind.isEmpty() ? "Revision " + revision + " applied on every Ready edge" + away
        : "Revision " + revision + " partly applied: " + String.join(", ", behind) + away;
  }

  @Override
  public void close() {
    worker.shutdownNow();
  }
}
