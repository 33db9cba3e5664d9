package dev.ollamabridge.console.web;

import dev.ollamabridge.console.edges.EdgeService;
import dev.ollamabridge.console.files.RenderException;
import dev.ollamabridge.console.nginx.ConfigDiff;
import dev.ollamabridge.console.nginx.ConfigSource;
import dev.ollamabridge.console.nginx.NginxApplier;
import dev.ollamabridge.console.nginx.NginxFailure;
import dev.ollamabridge.console.nginx.Revision;
import dev.ollamabridge.console.nginx.RevisionRepository;
import dev.ollamabridge.console.nginx.RollbackCheck;
import dev.ollamabridge.console.settings.Setting;
import dev.ollamabridge.console.settings.SettingsService;
import io.javalin.http.ConflictResponse;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import io.javalin.http.NotFoundResponse;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;

/** {@code /nginx}: the rendered configuration against the served one, apply, revisions, rollback, nginx settings. */
final class NginxPages {

  private static final int REVISIONS_SHOWN = 50;
  private static final List<Setting> NGINX_SETTINGS = SettingGroup.of("nginx");

  private final SettingsService settings;
  private final ConfigSource configs;
  private final Optional<NginxApplier> applier;
  private final RevisionRepository revisions;
  private final EdgeService edges;
  private final Pages pages;

  NginxPages(SettingsService settings, ConfigSource configs, Optional<NginxApplier> applier, RevisionRepository revisions,
      EdgeService edges, Pages pages) {
    this.edges = edges;
    this.settings = settings;
    this.configs = configs;
    this.applier = applier;
    this.revisions = revisions;
    this.pages = pages;
  }

  void show(Context ctx) {
    Outcome outcome = Outcome.NONE;
    Long applied = ctx.queryParamAsClass("applied", Long.class).getOrNull();
    Long unchanged = ctx.queryParamAsClass("unchanged", Long.class).getOrNull();
    if (applied != null) {
      outcome = Outcome.notice("Revision " + applied + " applied: nginx serves it.");
    } else if (unchanged != null) {
      outcome = Outcome.notice("No changes: nginx already serves this configuration (revision " + unchanged
          + "), so no revision was made.");
    } else if (ctx.queryParam("saved") != null) {
      outcome = Outcome.notice(applier.isPresent() ? "Saved, and applied: nginx serves the new settings."
          : "Saved. nginx.mode is off, so nothing was applied.");
    }
    render(ctx, "hide".equals(ctx.queryParam("automatic")), unchanged != null, outcome,
        SettingsForm.of(settings.all(), NGINX_SETTINGS));
  }

  /** The Edges panel, which the page polls: every edge and the revision it serves. */
  void edges(Context ctx) {
    pages.render(ctx, "nginx/_edges.jte", edges.overview());
  }

  void apply(Context ctx) {
    NginxApplier nginx = applier.orElseThrow(() -> new ConflictResponse(modeOff()));
    applied(ctx, () -> nginx.request(WebRoutes.actor(ctx)).join());
  }

  /**
   * Rolls back, or, when the revision's servers no longer match the instances and the form did not
   * confirm it, answers 409 with the revision's page listing the differences and a button to confirm.
   */
  void rollback(Context ctx) {
    NginxApplier nginx = applier.orElseThrow(() -> new ConflictResponse(modeOff()));
    Revision earlier = revision(ctx);
    if (!"true".equals(ctx.formParam("confirm")) && !RollbackCheck.differences(earlier, configs).isEmpty()) {
      ctx.status(409);
      showRevision(ctx, earlier, true);
      return;
    }
    applied(ctx, () -> nginx.rollback(earlier, WebRoutes.actor(ctx)).join());
  }

  void saveSettings(Context ctx) {
    SettingsForm.save(ctx, settings, NGINX_SETTINGS).ifPresentOrElse(
        refused -> render(ctx, false, false, Outcome.NONE, refused),
        () -> ctx.redirect("/nginx?saved", HttpStatus.SEE_OTHER));
  }

  /** One revision with its text, and its diff against the revision before it or against the served one. */
  void showRevision(Context ctx) {
    showRevision(ctx, revision(ctx), false);
  }

  /** @param refused whether a rollback to it was just refused for want of confirmation */
  private void showRevision(Context ctx, Revision revision, boolean refused) {
    boolean againstApplied = "applied".equals(ctx.queryParam("against"));
    Optional<Revision> served = revisions.lastApplied();
    Optional<Revision> other = againstApplied ? served : revisions.before(revision.id());
    String otherName = other.map(r -> "revision-" + r.id()).orElse("nothing");
    String diff = ConfigDiff.unified(otherName, other.map(Revision::config).orElse(null), "revision-" + revision.id(),
        revision.config());
    boolean serving = served.map(s -> s.id() == revision.id()).orElse(false);
    List<String> differences = applier.isPresent() && revision.applied() && !serving
        ? RollbackCheck.differences(revision, configs) : List.of();
    pages.render(ctx, "nginx/revision.jte", new RevisionPage(WebRoutes.layout(ctx, "Revision " + revision.id(), "nginx"),
        revision, againstApplied ? "applied" : "previous", otherName.replace('-', ' '), diff, applier.isPresent(),
        serving, differences, refused));
  }

  /** After an apply: to the page, saying so; when nginx refused, the page with nginx's own words. */
  private void applied(Context ctx, Supplier<Revision> apply) {
    long before = revisions.lastApplied().map(Revision::id).orElse(0L);
    try {
      Revision revision = apply.get();
      ctx.redirect("/nginx?" + (revision.id() == before ? "unchanged=" : "applied=") + revision.id(), HttpStatus.SEE_OTHER);
    } catch (CompletionException e) {
      if (e.getCause() instanceof NginxFailure failure) {
        ctx.status(failure.rejected() ? 422 : 502);
        render(ctx, false, false, Outcome.problem("Revision " + failure.revision().id() + " " + failure.revision().result() + ": "
            + failure.getMessage(), failure.revision().testOutput()), SettingsForm.of(settings.all(), NGINX_SETTINGS));
        return;
      }
      throw e;
    }
  }

  /**
   * @param hideAutomatic whether the revision list leaves out those the console made by itself
   * @param unchanged whether an Apply just found nothing to change
   */
  private void render(Context ctx, boolean hideAutomatic, boolean unchanged, Outcome outcome, SettingsForm form) {
    Optional<Revision> served = revisions.lastApplied();
    String pending = null;
    String renderError = null;
    String diff = "";
    try {
      pending = configs.nginx();
      diff = ConfigDiff.unified(served.map(r -> "revision-" + r.id()).orElse("nothing-applied"),
          served.map(Revision::config).orElse(null), "rendered-now", pending);
    } catch (RenderException e) {
      renderError = e.getMessage();
    }
    pages.render(ctx, "nginx.jte", new NginxPage(WebRoutes.layout(ctx, "nginx", "nginx"), outcome,
        settings.all().get(Setting.NGINX_MODE), applier.isPresent(), Setting.NGINX_MODE.whereSet(), served.orElse(null),
        diff, pending, renderError, hideAutomatic ? revisions.latest(REVISIONS_SHOWN, false) : revisions.latest(REVISIONS_SHOWN),
        hideAutomatic, unchanged, form, edges.overview()));
  }

  private Revision revision(Context ctx) {
    long id = ctx.pathParamAsClass("id", Long.class).get();
    return revisions.find(id).orElseThrow(() -> new NotFoundResponse("no nginx revision has id " + id));
  }

  private static String modeOff() {
    return "nginx.mode is off: the console only renders nginx.conf. To apply it, start the console with nginx.mode "
        + "managed or system (" + Setting.NGINX_MODE.whereSet() + ").";
  }
}
