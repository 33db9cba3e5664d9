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
import dev.ollamabridge.console.nginx.Revision;
import dev.ollamabridge.console.nginx.RevisionRepository;
import dev.ollamabridge.console.supervise.ProgramStatus;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;

/** The dashboard and the instance pages: thin handlers over {@link InstanceService}. */
final class InstancePages {

  private static final int LOG_LINES = 200;
  private static final int EVENTS_SHOWN = 50;

  private final InstanceService instances;
  private final BridgeScraper scraper;
  private final RevisionRepository revisions;
  private final EventLog events;
  private final Pages pages;

  InstancePages(InstanceService instances, BridgeScraper scraper, RevisionRepository revisions, EventLog events,
      Pages pages) {
    this.instances = instances;
    this.scraper = scraper;
    this.revisions = revisions;
    this.events = events;
    this.pages = pages;
  }

  void dashboard(Context ctx) {
    pages.render(ctx, "dashboard.jte", new DashboardPage(WebRoutes.layout(ctx, "Instances", "instances"), live(null, null)));
  }

  /** The part of the dashboard htmx polls. */
  void live(Context ctx) {
    renderLive(ctx, null, null);
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

  /** Runs an action of a dashboard button, then answers the live part, with what happened or why not. */
  private void act(Context ctx, Supplier<String> action) {
    try {
      renderLive(ctx, action.get(), null);
    } catch (InvalidInput | InstanceConflict | NginxRefusal e) {
      renderLive(ctx, null, e.getMessage());
    }
  }

  private void renderLive(Context ctx, String notice, String problem) {
    pages.render(ctx, "instances/_live.jte", live(notice, problem));
  }

  private Live live(String notice, String problem) {
    List<InstanceView> views = instances.overview();
    long up = views.stream().filter(v -> v.health() != null && v.health().healthy() && !v.draining()).count();
    Optional<Revision> served = revisions.lastApplied();
    String revision = served.map(r -> "revision " + r.id()).orElse("no revision yet");
    String rollback = served.filter(Revision::rollback)
        .map(r -> "rollback to revision " + r.rollbackTo() + ", until the next apply").orElse(null);
    return new Live(new Live.Totals(up, views.size(), sum(views, Figures::requestsPerSecond),
        sum(views, Figures::errorsPerSecond), revision, rollback), views.stream().map(InstanceRow::of).toList(), notice, problem);
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
