package dev.ollamabridge.console.web;

import dev.ollamabridge.console.events.EventLog;
import dev.ollamabridge.console.hosts.HostService;
import dev.ollamabridge.console.hosts.HostState;
import dev.ollamabridge.console.hosts.HostUnavailable;
import dev.ollamabridge.console.instances.HostRuntimes;
import dev.ollamabridge.console.instances.Instance;
import dev.ollamabridge.console.instances.InstanceChanges;
import dev.ollamabridge.console.instances.InstanceConflict;
import dev.ollamabridge.console.instances.InstanceService;
import dev.ollamabridge.console.instances.InstanceView;
import dev.ollamabridge.console.instances.InvalidInput;
import dev.ollamabridge.console.metrics.BridgeScraper;
import dev.ollamabridge.console.metrics.ClusterTotals;
import dev.ollamabridge.console.nginx.NginxRefusal;
import dev.ollamabridge.console.nginx.Revision;
import dev.ollamabridge.console.nginx.RevisionRepository;
import dev.ollamabridge.console.settings.SettingsService;
import dev.ollamabridge.console.supervise.ProgramStatus;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/** The dashboard and the instance pages: thin handlers over {@link InstanceService}. */
final class InstancePages {

  private static final int LOG_LINES = 200;
  private static final int EVENTS_SHOWN = 50;
  private static final long APPLY_WAIT_SECONDS = 10;
  private static final String SAVED_PENDING = "pending";
  /** The event an action's answer raises (HX-Trigger) for the dashboard to poll at once. */
  private static final String LIVE_REFRESH = "live-refresh";

  private final InstanceService instances;
  private final HostService hosts;
  private final BridgeScraper scraper;
  private final RevisionRepository revisions;
  private final EventLog events;
  private final Pages pages;
  private final SettingsService settings;
  private final boolean nginx;

  /**
   * @param nginx whether nginx takes the clients' requests (nginx.mode managed or system), which the
   *     dashboard says with its address
   */
  InstancePages(InstanceService instances, HostService hosts, BridgeScraper scraper, RevisionRepository revisions,
      EventLog events, Pages pages, SettingsService settings, boolean nginx) {
    this.settings = settings;
    this.nginx = nginx;
    this.instances = instances;
    this.hosts = hosts;
    this.scraper = scraper;
    this.revisions = revisions;
    this.events = events;
    this.pages = pages;
  }

  void dashboard(Context ctx) {
    RowFilter filter = RowFilter.read(ctx::queryParam);
    Live live = live(filter);
    String someBridge = live.rows().isEmpty() ? null : live.rows().get(0).address();
    ClientEndpoint endpoint = ClientEndpoint.of(settings.all(), nginx, browserHost(ctx), someBridge);
    pages.render(ctx, "dashboard.jte", new DashboardPage(WebRoutes.layout(ctx, "Instances", "instances"), endpoint, live,
        scraper.interval().toMillis(), HostChoices.toFilter(hosts.list(), filter.host())));
  }

  /** The last hour of the whole cluster's requests and errors, nginx's own answers included, for the dashboard's chart. */
  void clusterSeries(Context ctx) {
    ctx.json(scraper.clusterSeries());
  }

  /**
   * The dashboard's poll: the page sends what it shows (a digest per row, in screen order, and its
   * search, filters and sort); the answer holds only what differs, for htmx to swap out of band.
   */
  void live(Context ctx) {
    long started = System.nanoTime();
    LiveChanges changes = LiveChanges.between(ctx.formParams("seen"), ctx.formParam("summary"),
        live(RowFilter.read(ctx::formParam)));
    ctx.header("Server-Timing", String.format(Locale.ROOT, "live;dur=%.1f", (System.nanoTime() - started) / 1e6));
    pages.render(ctx, "instances/_changes.jte", changes);
  }

  /** One click: an instance with every default, at the next free port in front of the default upstream. */
  void add(Context ctx) {
    act(ctx, () -> {
      Instance created = instances.create(InstanceChanges.NONE, WebRoutes.actor(ctx));
      return "Added " + created.name() + " on " + where(created) + "; its bridge is starting.";
    });
  }

  void start(Context ctx) {
    act(ctx, () -> said(instances.start(id(ctx), WebRoutes.actor(ctx)), "started"));
  }

  void stop(Context ctx) {
    act(ctx, () -> said(instances.stop(id(ctx), WebRoutes.actor(ctx)), "stopped"));
  }

  void restart(Context ctx) {
    act(ctx, () -> said(instances.restart(id(ctx), WebRoutes.actor(ctx)), "restarted"));
  }

  /**
   * Drains, stops and deletes; the row shows DRAINING meanwhile, to every open dashboard. From the
   * instance's own page, which is gone then, the browser goes to the dashboard.
   */
  void remove(Context ctx) {
    act(ctx, () -> {
      long id = id(ctx);
      String name = instances.get(id).name();
      instances.delete(id, ctx.queryParamAsClass("version", Long.class).getOrNull(), WebRoutes.actor(ctx));
      if (fromInstancePage(ctx)) {
        ctx.header("HX-Redirect", "/");
      }
      return "Removed " + name + ": drained, stopped and deleted.";
    });
  }

  /** Starts, stops, restarts or removes the selected instances, one after the other; the notice reports each. */
  void bulk(Context ctx) {
    BulkAction action = BulkAction.read(ctx.formParam("action"), ctx.formParams("id"));
    ctx.header("HX-Trigger", LIVE_REFRESH);
    pages.render(ctx, "_outcome.jte", action.run(instances, WebRoutes.actor(ctx)));
  }

  void newForm(Context ctx) {
    pages.render(ctx, "instances/new.jte", new NewInstancePage(WebRoutes.layout(ctx, "New instance", "instances"),
        InstanceForm.blank(), HostChoices.toPlace(hosts.list(), null)));
  }

  void create(Context ctx) {
    Refusals refusals = new Refusals();
    InstanceChanges changes = InstanceForm.read(ctx.formParamMap(), true);
    String saved = refusals.attempt(() -> "/instances/" + instances.create(changes, WebRoutes.actor(ctx)).id() + "?created");
    if (saved != null) {
      ctx.redirect(saved, HttpStatus.SEE_OTHER);
      return;
    }
    ctx.status(400);
    pages.render(ctx, "instances/new.jte", new NewInstancePage(WebRoutes.layout(ctx, "New instance", "instances"),
        InstanceForm.blank().refused(ctx.formParamMap(), refusals.byField, refusals.nginxTest),
        HostChoices.toPlace(hosts.list(), ctx.formParam("host"))));
  }

  void show(Context ctx) {
    InstanceView view = instances.view(id(ctx));
    render(ctx, view, InstanceForm.of(view.instance()), notice(view, ctx.queryParam("created"), ctx.queryParam("saved")));
  }

  /** What the last step on this page did: created, or saved with the nginx revision that serves it. */
  private static String notice(InstanceView view, String created, String saved) {
    Instance i = view.instance();
    if (created != null) {
      return "Added " + i.name() + " on " + where(i) + (i.managed() && i.enabled() ? "; its bridge is starting." : ".");
    }
    if (saved == null) {
      return null;
    }
    String bridge = i.managed() && i.enabled() ? " The bridge follows the change." : "";
    if (saved.matches("[0-9]{1,18}")) {
      return "Saved as version " + i.version() + ". nginx serves it from revision " + saved + "." + bridge;
    }
    if (saved.equals(SAVED_PENDING)) {
      return "Saved as version " + i.version() + ". nginx is still applying it: see the nginx page." + bridge;
    }
    return "Saved as version " + i.version() + ". No new nginx revision was made: nothing nginx serves changed, or nginx is off."
        + bridge;
  }

  /** Saves the form, or shows it again with each refusal beside its field; nothing is stored then. */
  void update(Context ctx) {
    long id = id(ctx);
    Refusals refusals = new Refusals();
    InstanceChanges changes = InstanceForm.read(ctx.formParamMap(), false);
    String saved = refusals.attempt(() -> "/instances/" + id + "?saved=" + revision(instances.save(id, changes,
        WebRoutes.actor(ctx))));
    if (saved != null) {
      ctx.redirect(saved, HttpStatus.SEE_OTHER);
      return;
    }
    ctx.status(400);
    InstanceView view = instances.view(id);
    render(ctx, view, InstanceForm.of(view.instance()).refused(ctx.formParamMap(), refusals.byField, refusals.nginxTest),
        null);
  }

  /**
   * The revision nginx applied for a saved change, {@code none} when it made none (nothing it serves
   * changed, or nginx is off), {@code pending} when it has not finished within a few seconds.
   */
  private static String revision(InstanceService.Saved saved) {
    try {
      return saved.followed().get(APPLY_WAIT_SECONDS, TimeUnit.SECONDS).stream()
          .filter(Revision.class::isInstance).map(r -> Long.toString(((Revision) r).id())).findFirst().orElse("none");
    } catch (TimeoutException | ExecutionException e) {
      return SAVED_PENDING; // a failed apply is a revision and an event of its own, on the nginx page
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return SAVED_PENDING;
    }
  }

  /** The instance page's live figures, which htmx polls. */
  void now(Context ctx) {
    pages.render(ctx, "instances/_now.jte", InstanceRow.of(instances.view(id(ctx))));
  }

  /** The end of the bridge's log, which htmx polls: the process's text, escaped, never markup. */
  void logs(Context ctx) {
    List<String> lines;
    try {
      lines = instances.logs(id(ctx), LOG_LINES);
    } catch (HostUnavailable e) { // the log of a bridge on another host comes through its agent's link
      lines = List.of("(" + e.getMessage() + ")");
    }
    pages.render(ctx, "instances/_log.jte", new LogTail(lines));
  }

  /** The last hour of the instance's figures, in uPlot's column layout. */
  void series(Context ctx) {
    ctx.json(scraper.series(instances.get(id(ctx)).id()));
  }

  private void render(Context ctx, InstanceView view, InstanceForm form, String notice) {
    pages.render(ctx, "instances/show.jte", new InstancePage(WebRoutes.layout(ctx, view.instance().name(), "instances"),
        InstanceRow.of(view), form, notice, events.latest(EVENTS_SHOWN, view.instance().name()),
        scraper.interval().toMillis(), HostChoices.toPlace(hosts.list(), form.value("host"))));
  }

  /**
   * Runs an action of a button and answers what happened, or why not: on an instance's page its live
   * figures and its actions; on the dashboard the notice area, the rows following at once by the poll
   * the answer triggers.
   */
  private void act(Context ctx, Supplier<String> action) {
    String notice = null;
    String problem = null;
    String testOutput = null;
    try {
      notice = action.get();
    } catch (InvalidInput | InstanceConflict e) {
      problem = e.getMessage();
    } catch (NginxRefusal e) {
      problem = e.getMessage();
      testOutput = e.testOutput();
    }
    if (fromInstancePage(ctx)) {
      if (ctx.res().getHeader("HX-Redirect") == null) {
        pages.render(ctx, "instances/_acted.jte", new InstanceActed(InstanceRow.of(instances.view(id(ctx))), notice, problem));
      }
      return;
    }
    ctx.header("HX-Trigger", LIVE_REFRESH);
    pages.render(ctx, "_outcome.jte", problem == null ? Outcome.notice(notice) : Outcome.problem(problem, testOutput));
  }

  /** Whether htmx sent the request from an instance's page, whose live part is {@code #now}. */
  private static boolean fromInstancePage(Context ctx) {
    return "now".equals(ctx.header("HX-Target"));
  }

  private Live live(RowFilter filter) {
    List<InstanceView> views = instances.overview();
    long up = views.stream().filter(v -> v.health() != null && v.health().healthy() && !v.draining()).count();
    Optional<Revision> served = revisions.lastApplied();
    String revision = served.map(r -> "revision " + r.id()).orElse("no revision yet");
    String rollback = served.filter(Revision::rollback)
        .map(r -> "rollback to revision " + r.rollbackTo() + ", until the next apply").orElse(null);
    ClusterTotals traffic = ClusterTotals.of(views.stream().map(InstanceView::figures).toList(), scraper.nginx());
    return new Live(new Live.Totals(up, views.size(), rate(traffic.requestsPerSecond()), rate(traffic.errorsPerSecond()),
        traffic.nginx() == null ? null : rate(traffic.nginx().errorsPerSecond()), revision, rollback),
        filter.select(views, hostsAway()), filter, Live.outage(views));
  }

  /** The state of each host that is not Ready, by name: the rows of its instances say so. */
  private Map<String, String> hostsAway() {
    return hosts.list().stream().filter(view -> view.host().state() != HostState.READY)
        .collect(Collectors.toMap(view -> view.host().name(), view -> view.host().state().word()));
  }

  /** Where an instance listens, and on which host when it is not the console's own machine. */
  private static String where(Instance instance) {
    return instance.host().equals(HostRuntimes.LOCAL) ? instance.address()
        : "host " + instance.host() + " at " + instance.address();
  }

  /** The host the browser reached the console by, without its port; null when it named none. */
  private static String browserHost(Context ctx) {
    String host = ctx.host();
    if (host == null || host.startsWith("[")) {
      return null;
    }
    int colon = host.indexOf(':');
    return colon < 0 ? host : host.substring(0, colon);
  }

  private static String rate(double perSecond) {
    return String.format(Locale.ROOT, "%.1f", perSecond);
  }

  private static String said(ProgramStatus status, String verb) {
    return status.name() + " " + verb + ": " + status.state().name();
  }

  private static long id(Context ctx) {
    return ctx.pathParamAsClass("id", Long.class).get();
  }

  /** Why a form was not saved: a message per field ({@code ""} for the form as a whole) and nginx -t's output. */
  private static final class Refusals {
    final Map<String, String> byField = new LinkedHashMap<>();
    String nginxTest;

    /** Saves; the page to go to next, or null with every refusal kept. */
    String attempt(Supplier<String> save) {
      try {
        return save.get();
      } catch (InvalidInput e) {
        e.violations().forEach(v -> byField.merge(Objects.requireNonNullElse(v.field(), ""), v.message(),
            (first, next) -> first + "; " + next));
      } catch (InstanceConflict e) {
        byField.put(Objects.requireNonNullElse(e.field(), ""), e.getMessage());
      } catch (NginxRefusal e) {
        byField.put("", e.getMessage());
        nginxTest = e.testOutput();
      }
      return null;
    }
  }
}
