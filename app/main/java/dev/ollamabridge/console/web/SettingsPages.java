package dev.ollamabridge.console.web;

import dev.ollamabridge.console.cache.SharedCache;
import dev.ollamabridge.console.instances.BridgeArchive;
import dev.ollamabridge.console.jdk.BridgeJava;
import dev.ollamabridge.console.settings.Setting;
import dev.ollamabridge.console.settings.SettingsService;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.util.List;
import java.util.function.Supplier;

/** {@code /settings}: every setting by group; the console's own in one form, nginx's on the nginx page. */
final class SettingsPages {

  private static final List<Setting> EDITED_HERE = SettingGroup.all().stream()
      .filter(group -> !group.editedElsewhere()).flatMap(group -> group.settings().stream()).toList();

  private final SettingsService settings;
  private final BridgeJava bridgeJava;
  private final Supplier<BridgeArchive.Status> archive;
  private final SharedCache cache;
  private final Pages pages;

  SettingsPages(SettingsService settings, BridgeJava bridgeJava, Supplier<BridgeArchive.Status> archive, SharedCache cache,
      Pages pages) {
    this.settings = settings;
    this.cache = cache;
    this.bridgeJava = bridgeJava;
    this.archive = archive;
    this.pages = pages;
  }

  void show(Context ctx) {
    render(ctx, ctx.queryParam("saved") != null ? Outcome.notice("Saved.") : Outcome.NONE,
        SettingsForm.of(settings.all(), EDITED_HERE));
  }

  /** The part of the page that polls: whether the shared Redis answers. */
  void cache(Context ctx) {
    pages.render(ctx, "settings/_cache.jte", cache.status());
  }

  /** Stores the changed values, or shows the form again with the refusal beside its field; nothing is stored then. */
  void save(Context ctx) {
    SettingsForm.save(ctx, settings, EDITED_HERE).ifPresentOrElse(
        refused -> render(ctx, Outcome.NONE, refused),
        () -> ctx.redirect("/settings?saved", HttpStatus.SEE_OTHER));
  }

  private void render(Context ctx, Outcome outcome, SettingsForm form) {
    pages.render(ctx, "settings.jte", new SettingsPage(WebRoutes.layout(ctx, "Settings", "settings"), outcome,
        SettingGroup.all(), settings.all(), form, bridgeJava, archive.get(), cache.status()));
  }
}
