package dev.ollamabridge.console.web;

import dev.ollamabridge.console.files.RenderException;
import dev.ollamabridge.console.nginx.ConfigDiff;
import dev.ollamabridge.console.nginx.ConfigSource;
import dev.ollamabridge.console.nginx.NginxApplier;
import dev.ollamabridge.console.nginx.NginxFailure;
import dev.ollamabridge.console.nginx.Revision;
import dev.ollamabridge.console.nginx.RevisionRepository;
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
  private final Pages pages;

  NginxPages(SettingsService settings, ConfigSource configs, Optional<NginxApplier> applier, RevisionRepository revisions,
      Pages pages) {
    this.settings = settings;
    this.configs = configs;
    this.applier = applier;
    this.revisions = revisions;
    this.pages = pages;
  }

  void show(Context ctx) {
    Outcome outcome = Outcome.NONE;
    Long applied = ctx.queryParamAsClass("applied", Long.class).getOrNull();
    if (applied != null) {
      outcome = Outcome.notice("Revision " + applied + " applied: nginx serves it.");
    } else if (ctx.queryParam("saved") != null) {
      outcome = Outcome.notice(applier.isPresent() ? "Saved, and applied: nginx serves the new settings."
          : "Saved. nginx.mode is off, so nothing was applied.");
    }
    render(ctx, outcome, SettingsForm.of(settings.all(), NGINX_SETTINGS));
  }

  void apply(Context ctx) {
    NginxApplier nginx = applier.orElseThrow(() -> new ConflictResponse(modeOff()));
    applied(ctx, () -> nginx.request(WebRoutes.actor(ctx)).join());
  }

  void rollback(Context ctx) {
    NginxApplier nginx = applier.orElseThrow(() -> new ConflictResponse(modeOff()));
    Revision earlier = revision(ctx);
    applied(ctx, () -> nginx.rollback(earlier, WebRoutes.actor(ctx)).join());
  }

  void saveSettings(Context ctx) {
    SettingsForm.save(ctx, settings, NGINX_SETTINGS).ifPresentOrElse(
        refused -> render(ctx, Outcome.NONE, refused),
        () -> ctx.redirect("/nginx?saved", HttpStatus.SEE_OTHER));
  }

  /** One revision with its text, and its diff against the revision before it or against the served one. */
  void showRevision(Context ctx) {
    Revision revision = revision(ctx);
    boolean againstApplied = "applied".equals(ctx.queryParam("against"));
    Optional<Revision> served = revisions.lastApplied();
    Optional<Revision> other = againstApplied ? served : revisions.before(revision.id());
    String otherName = other.map(r -> "revision-" + r.id()).orElse("nothing");
    String diff = ConfigDiff.unified(otherName, other.map(Revision::config).orElse(null), "revision-" + revision.id(),
        revision.config());
    pages.render(ctx, "nginx/revision.jte", new RevisionPage(WebRoutes.layout(ctx, "Revision " + revision.id(), "nginx"),
        revision, againstApplied ? "applied" : "previous", otherName.replace('-', ' '), diff, applier.isPresent(),
        served.map(s -> s.id() == revision.id()).orElse(false)));
  }

  /** After an apply: to the page, saying so; when nginx refused, the page with nginx's own words. */
  private void applied(Context ctx, Supplier<Revision> apply) {
    try {
      Revision revision = apply.get();
      ctx.redirect("/nginx?applied=" + revision.id(), HttpStatus.SEE_OTHER);
    } catch (CompletionException e) {
      if (e.getCause() instanceof NginxFailure failure) {
        ctx.status(failure.rejected() ? 422 : 502);
        render(ctx, Outcome.problem("Revision " + failure.revision().id() + " " + failure.revision().result() + ": "
            + failure.getMessage(), failure.revision().testOutput()), SettingsForm.of(settings.all(), NGINX_SETTINGS));
        return;
      }
      throw e;
    }
  }

  private void render(Context ctx, Outcome outcome, SettingsForm form) {
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
        diff, pending, renderError, revisions.latest(REVISIONS_SHOWN), form));
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
