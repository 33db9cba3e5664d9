package dev.ollamabridge.console.web;

import dev.ollamabridge.console.hosts.HostConflict;
import dev.ollamabridge.console.hosts.HostService;
import dev.ollamabridge.console.hosts.HostState;
import dev.ollamabridge.console.instances.HostRuntimes;
import dev.ollamabridge.console.instances.Instance;
import dev.ollamabridge.console.instances.InstanceService;
import dev.ollamabridge.console.instances.InvalidInput;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * {@code /hosts}: the machines bridges run on, Add host (its join command shown once), revoking a host
 * or a join token not yet used, and each host's supervisor.conf. Thin handlers over {@link HostService}.
 */
final class HostPages {

  private final HostService hosts;
  private final InstanceService instances;
  private final Pages pages;

  HostPages(HostService hosts, InstanceService instances, Pages pages) {
    this.hosts = hosts;
    this.instances = instances;
    this.pages = pages;
  }

  void list(Context ctx) {
    render(ctx, outcome(ctx.queryParam("revoked"), ctx.queryParam("join_revoked"), ctx.queryParam("edge")), null, "", null);
  }

  /** The part of the page that polls: the hosts and the pending joins, as they are now. */
  void live(Context ctx) {
    pages.render(ctx, "hosts/_live.jte", hostsNow(ctx));
  }

  /** A join token and its command, in this answer only: the token is not kept in clear. */
  void add(Context ctx) {
    String name = ctx.formParam("name") == null ? "" : ctx.formParam("name").strip();
    try {
      HostService.Added added = hosts.add(name, WebRoutes.actor(ctx));
      render(ctx, Outcome.NONE, new HostsPage.Added(added), "", null);
    } catch (InvalidInput e) {
      ctx.status(400);
      render(ctx, Outcome.NONE, null, name, e.getMessage());
    } catch (HostConflict e) {
      ctx.status(409);
      render(ctx, Outcome.NONE, null, name, e.getMessage());
    }
  }

  /** Makes the host an edge (on the address given, or every address) or no edge. */
  void edge(Context ctx) {
    String name = ctx.pathParam("name");
    boolean edge = "on".equals(ctx.formParam("edge"));
    String listen = ctx.formParam("edge_listen") == null ? null : ctx.formParam("edge_listen").strip();
    try {
      hosts.edge(name, edge, listen, WebRoutes.actor(ctx));
    } catch (InvalidInput | HostConflict e) {
      ctx.status(e instanceof InvalidInput ? 400 : 409);
      render(ctx, Outcome.problem(e.getMessage(), null), null, "", null);
      return;
    }
    ctx.redirect("/hosts?edge=" + URLEncoder.encode(name, StandardCharsets.UTF_8), HttpStatus.SEE_OTHER);
  }

  void revoke(Context ctx) {
    String name = ctx.pathParam("name");
    hosts.revoke(name, WebRoutes.actor(ctx));
    ctx.redirect("/hosts?revoked=" + URLEncoder.encode(name, StandardCharsets.UTF_8), HttpStatus.SEE_OTHER);
  }

  void revokeJoin(Context ctx) {
    String id = ctx.pathParam("id");
    String host = hosts.pendingJoins().stream().filter(token -> token.id().equals(id)).findFirst()
        .map(token -> token.host()).orElse(null);
    hosts.revokeToken(id, WebRoutes.actor(ctx));
    ctx.redirect("/hosts?join_revoked=" + URLEncoder.encode(host == null ? "" : host, StandardCharsets.UTF_8),
        HttpStatus.SEE_OTHER);
  }

  /** The host's supervisor.conf, from its agent; the console's own is the export on the Files page. */
  void supervisorConf(Context ctx) {
    String name = ctx.pathParam("name");
    if (name.equals(HostRuntimes.LOCAL)) {
      ctx.redirect("/files/supervisor.conf", HttpStatus.SEE_OTHER);
      return;
    }
    String text = hosts.supervisorConf(name);
    ctx.header("Content-Disposition", "inline; filename=\"supervisor-" + name + ".conf\"")
        .contentType("text/plain; charset=utf-8").result(text);
  }

  /** What the last step did, said only of a host that is there to say it of. */
  private Outcome outcome(String revoked, String joinRevoked, String edge) {
    if (revoked != null && hosts.list().stream().anyMatch(view -> view.host().name().equals(revoked)
        && view.host().state() == HostState.REVOKED)) {
      return Outcome.notice("Host " + revoked + " was revoked: its agent is refused and its bridges are out of nginx."
          + " They run on there until its agent is stopped; to join it again, add it again.");
    }
    if (edge != null) {
      return hosts.list().stream().filter(view -> view.host().name().equals(edge)).findFirst()
          .map(view -> Outcome.notice(view.host().edge()
              ? "Host " + edge + " is an edge: its agent runs the cluster's nginx, listening on "
                  + (view.host().edgeListen() == null ? "every address" : view.host().edgeListen())
                  + " at nginx.listen's port. The nginx page shows the revision it serves."
              : "Host " + edge + " is no longer an edge: its agent stops the nginx it ran."))
          .orElse(Outcome.NONE);
    }
    if (joinRevoked != null) {
      return Outcome.notice("The join token was revoked: no agent can join with it.");
    }
    return Outcome.NONE;
  }

  private HostsLive hostsNow(Context ctx) {
    Map<String, Long> bridges = instances.list().stream().collect(Collectors.groupingBy(Instance::host,
        Collectors.counting()));
    return new HostsLive(hosts.list().stream().map(view -> HostRow.of(view,
        bridges.getOrDefault(view.host().name(), 0L))).toList(), hosts.pendingJoins(),
        WebSecurity.session(ctx).csrfToken());
  }

  private void render(Context ctx, Outcome outcome, HostsPage.Added added, String name, String error) {
    HostsPage.Agents agents = hosts.access().map(access -> new HostsPage.Agents(access.url(),
        access.ca().fingerprint())).orElse(null);
    pages.render(ctx, "hosts.jte", new HostsPage(WebRoutes.layout(ctx, "Hosts", "hosts"), outcome, hostsNow(ctx), agents,
        added, name, error));
  }
}
