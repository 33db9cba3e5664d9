package dev.ollamabridge.console.alerts;

import dev.ollamabridge.console.health.HealthChecker;
import dev.ollamabridge.console.hosts.EdgeListener;
import dev.ollamabridge.console.hosts.HostNotFound;
import dev.ollamabridge.console.hosts.HostService;
import dev.ollamabridge.console.hosts.HostState;
import dev.ollamabridge.console.nginx.NginxApplier;
import dev.ollamabridge.link.EdgeReport;
import java.util.function.BiConsumer;

/**
 * What the console already observes, turned into alerts: the health checks' transitions, the hosts'
 * changes, the console's nginx applies and the edges' reports. Each listener only hands the work to
 * the alerts' thread.
 */
public final class AlertFeeds {

  /** The subject of the console's own nginx; an edge's is its host's name. */
  public static final String CONSOLE_NGINX = "console";

  private AlertFeeds() {}

  /** An instance that turns unhealthy fires instance_down; healthy again resolves it. */
  public static HealthChecker.Listener health(AlertService alerts) {
    return (target, state) -> {
      if (state.healthy()) {
        alerts.resolve(AlertKind.INSTANCE_DOWN, target.name(), "instance " + target.name() + " passes its health checks again");
      } else {
        alerts.raise(AlertKind.INSTANCE_DOWN, target.name(), "instance " + target.name() + " is down"
            + (state.lastError() == null ? "" : ": " + state.lastError()));
      }
    };
  }

  /** For {@link HostService#addListener}: on each change of a host, its state decides. */
  public static BiConsumer<String, String> hosts(AlertService alerts, HostService hosts) {
    return (host, cause) -> alerts.onWorker(() -> {
      HostState state;
      try {
        state = hosts.view(host).host().state();
      } catch (HostNotFound gone) {
        alerts.forget(AlertKind.HOST_NOT_READY, host);
        return;
      }
      switch (state) {
        case NOT_READY -> alerts.raise(AlertKind.HOST_NOT_READY, host, "host " + host + " is NotReady: its agent stopped reporting");
        case READY -> alerts.resolve(AlertKind.HOST_NOT_READY, host, "host " + host + " is Ready again");
        case REVOKED -> alerts.forget(AlertKind.HOST_NOT_READY, host);
      }
    });
  }

  /** The console's nginx: a refused or failed apply fires; the next one nginx serves resolves. */
  public static NginxApplier.Listener nginx(AlertService alerts) {
    return (revision, took) -> {
      if (revision.applied()) {
        alerts.resolve(AlertKind.NGINX_REFUSED, CONSOLE_NGINX, "the console's nginx applied revision " + revision.id());
      } else {
        alerts.raise(AlertKind.NGINX_REFUSED, CONSOLE_NGINX, "the console's nginx " + revision.result() + " revision "
            + revision.id() + (revision.message() == null ? "" : ": " + revision.message()));
      }
    };
  }

  /** For {@link HostService#addEdgeListener}: an edge's refused or failed attempt fires; an applied one resolves. */
  public static EdgeListener edges(AlertService alerts) {
    return new EdgeListener() {
      @Override
      public void roleChanged(String host) {}

      @Override
      public void reported(String host, EdgeReport before, EdgeReport now) {
        if (now == null) {
          alerts.resolve(AlertKind.NGINX_REFUSED, host, "host " + host + " runs no edge nginx any more");
        } else if ("applied".equals(now.result())) {
          alerts.resolve(AlertKind.NGINX_REFUSED, host, "the edge nginx of host " + host + " applied revision " + now.hash());
        } else if (now.result() != null) {
          alerts.raise(AlertKind.NGINX_REFUSED, host, "the edge nginx of host " + host + " "
              + (now.result().equals("rejected") ? "refused" : "failed to apply") + " revision " + now.hash()
              + (now.message() == null ? "" : ": " + now.message()));
        }
      }
    };
  }
}
