package dev.ollamabridge.console.web;

import dev.ollamabridge.console.events.EventLog;
import dev.ollamabridge.console.instances.Instance;
import dev.ollamabridge.console.instances.InstanceChanges;
import dev.ollamabridge.console.instances.InstanceConflict;
import dev.ollamabridge.console.instances.InstanceService;
import dev.ollamabridge.console.instances.InstanceView;
import dev.ollamabridge.console.instances.InvalidInput;
import dev.ollamabridge.console.metrics.BridgeScraper;
import dev.ollamabridge.console.metrics.Figures;
import dev.ollamabridge.console.nginx.NginxRefusal;
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
import java.util.function.Function;
import java.util.function.Supplier;

/** The dashboard and the instance pages: thin handlers over {@link InstanceService}. */
final class InstancePages {

  private static final int LOG_LINES = 200;
  private static final int EVENTS_SHOWN = 50;
  /** The event an action's answer raises (HX-Trigger) for the dashboard to poll at once. */
  private static final String LIVE_REFRESH = "live-refresh";

  private final InstanceService instances;
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
  InstancePages(InstanceService instances, BridgeScraper scraper, RevisionRepository revisions, EventLog events,
      Pages pages, SettingsService settings, boolean nginx) {
    this.settings = settings;
    this.nginx = nginx;
    this.instances = instances;
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
    pages.render(ctx, "dashboard.jte", new DashboardPage(WebRoutes.layout(ctx, "Instances", "instances"), endpoint, live));
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
      return "Added " + created.name() + " on " + created.address() + "; its bridge is starting.";
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

  /** Drains, stops and deletes; the row shows DRAINING meanwhile, to every open dashboard. */
  void remove(Context ctx) {
    act(ctx, () -> {
      long id = id(ctx);
      String name = instances.get(id).name();
      instances.delete(id, ctx.queryParamAsClass("version", Long.class).getOrNull(), WebRoutes.actor(ctx));
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
        InstanceForm.blank()));
  }

  void create(Context ctx) {
    Refusals refusals = new Refusals();
    InstanceChanges changes = InstanceForm.read(ctx.formParamMap(), true, refusals.byField);
    String saved = refusals.attempt(() -> "/instances/" + instances.create(changes, WebRoutes.actor(ctx)).id());
    if (saved != null) {
      ctx.redirect(saved, HttpStatus.SEE_OTHER);
      return;
    }
    ctx.status(400);
    pages.render(ctx, "instances/new.jte", new NewInstancePage(WebRoutes.layout(ctx, "New instance", "instances"),
        InstanceForm.blank().refused(ctx.formParamMap(), refusals.byField, refusals.nginxTest)));
  }

  void show(Context ctx) {
    InstanceView view = instances.view(id(ctx));
    render(ctx, view, InstanceForm.of(view.instance()), ctx.queryParam("saved") != null);
  }

  /** Saves the form, or shows it again with each refusal beside its field; nothing is stored then. */
  void update(Context ctx) {
    long id = id(ctx);
    Refusals refusals = new Refusals();
    InstanceChanges changes = InstanceForm.read(ctx.formParamMap(), false, refusals.byField);
    String saved = refusals.attempt(() -> {
      instances.update(id, changes, WebRoutes.actor(ctx));
      return "/instances/" + id + "?saved";
    });
    if (saved != null) {
      ctx.redirect(saved, HttpStatus.SEE_OTHER);
      return;
    }
    ctx.status(400);
    InstanceView view = instances.view(id);
    render(ctx, view, InstanceForm.of(view.instance()).refused(ctx.formParamMap(), refusals.byField, refusals.nginxTest),
        false);
  }

  /** The instance page's live figures, which htmx polls. */
  void now(Context ctx) {
    pages.render(ctx, "instances/_now.jte", InstanceRow.of(instances.view(id(ctx))));
  }

  /** The end of the bridge's log, which htmx polls: the process's text, escaped, never markup. */
  void logs(Context ctx) {
    pages.render(ctx, "instances/_log.jte", new LogTail(instances.logs(id(ctx), LOG_LINES)));
  }

  /** The last hour of the instance's figures, in uPlot's column layout. */
  void series(Context ctx) {
    ctx.json(scraper.series(instances.get(id(ctx)).id()));
  }

  private void render(Context ctx, InstanceView view, InstanceForm form, boolean saved) {
    pages.render(ctx, "instances/show.jte", new InstancePage(WebRoutes.layout(ctx, view.instance().name(), "instances"),
        InstanceRow.of(view), form, saved, events.latest(EVENTS_SHOWN, view.instance().name()),
        scraper.interval().toMillis()));
  }

  /**
   * Runs an action of a dashboard button and answers what happened, or why not, for the page's notice
   * area; the rows follow at once, by the poll the answer triggers.
   */
  private void act(Context ctx, Supplier<String> action) {
    Outcome outcome;
    try {
      outcome = Outcome.notice(action.get());
    } catch (InvalidInput | InstanceConflict e) {
      outcome = Outcome.problem(e.getMessage(), null);
    } catch (NginxRefusal e) {
      outcome = Outcome.problem(e.getMessage(), e.testOutput());
    }
    ctx.header("HX-Trigger", LIVE_REFRESH);
    pages.render(ctx, "_outcome.jte", outcome);
  }

  private Live live(RowFilter filter) {
    List<InstanceView> views = instances.overview();
    long up = views.stream().filter(v -> v.health() != null && v.health().healthy() && !v.draining()).count();
    String revision = revisions.lastApplied().map(r -> "revision " + r.id()).orElse("no revision yet");
    return new Live(new Live.Totals(up, views.size(), sum(views, Figures::requestsPerSecond),
        sum(views, Figures::errorsPerSecond), revision), filter.select(views), filter);
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

  private static String sum(List<InstanceView> views, Function<Figures, Double> figure) {
    double total = views.stream().map(InstanceView::figures).filter(Objects::nonNull).mapToDouble(figure::apply).sum();
    return String.format(Locale.ROOT, "%.1f", total);
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

    /** Saves unless the form was already refused; the page to go to next, or null with the refusal kept. */
    String attempt(Supplier<String> save) {
      if (!byField.isEmpty()) {
        return null;
      }
      try {
        return save.get();
      } catch (InvalidInput e) {
        byField.put(Objects.requireNonNullElse(e.field(), ""), e.getMessage());
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
