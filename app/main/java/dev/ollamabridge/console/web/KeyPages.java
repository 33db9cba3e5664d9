package dev.ollamabridge.console.web;

import dev.ollamabridge.console.instances.InvalidInput;
import dev.ollamabridge.console.keys.ClientKey;
import dev.ollamabridge.console.keys.KeyChanges;
import dev.ollamabridge.console.keys.KeyConflict;
import dev.ollamabridge.console.keys.KeyService;
import dev.ollamabridge.console.settings.Setting;
import dev.ollamabridge.console.settings.SettingsService;
import dev.ollamabridge.console.validation.Violation;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code /keys}: the cluster's client keys. A new key's secret is in the answer to the form that made
 * it and in no later page; enabling, disabling and revoking go back to the list with a notice.
 */
final class KeyPages {

  private static final List<String> FIELDS = List.of("name", "owner", "models", "requests_per_minute", "tokens_per_day",
      "expires_at");

  private final KeyService keys;
  private final SettingsService settings;
  private final Pages pages;

  KeyPages(KeyService keys, SettingsService settings, Pages pages) {
    this.keys = keys;
    this.settings = settings;
    this.pages = pages;
  }

  void list(Context ctx) {
    String done = ctx.queryParam("done");
    render(ctx, done == null || done.length() > 200 ? Outcome.NONE : Outcome.notice(done), null, Map.of(), Map.of());
  }

  /** The secret is in this answer only: the console keeps its hash, so no page can show it again. */
  void create(Context ctx) {
    Map<String, String> form = new LinkedHashMap<>();
    FIELDS.forEach(field -> form.put(field, ctx.formParam(field) == null ? "" : ctx.formParam(field)));
    try {
      KeyService.Created created = keys.create(changes(form), WebRoutes.actor(ctx));
      ctx.header("Cache-Control", "no-store");
      render(ctx, Outcome.NONE, created, Map.of(), Map.of());
    } catch (InvalidInput e) {
      Map<String, String> errors = new LinkedHashMap<>();
      e.violations().forEach(v -> errors.putIfAbsent(v.field() == null ? "name" : v.field(), v.message()));
      ctx.status(400);
      render(ctx, Outcome.NONE, null, form, errors);
    } catch (KeyConflict e) {
      ctx.status(409);
      render(ctx, Outcome.NONE, null, form, Map.of(e.field(), e.getMessage()));
    }
  }

  void enable(Context ctx) {
    act(ctx, keys.update(id(ctx), KeyChanges.none().withEnabled(true), WebRoutes.actor(ctx)), "enabled: it works again");
  }

  void disable(Context ctx) {
    act(ctx, keys.update(id(ctx), KeyChanges.none().withEnabled(false), WebRoutes.actor(ctx)),
        "disabled: the bridges refuse it (401) until it is enabled again");
  }

  void revoke(Context ctx) {
    act(ctx, keys.revoke(id(ctx), WebRoutes.actor(ctx)), "revoked: every bridge refuses it within seconds");
  }

  private static void act(Context ctx, ClientKey key, String what) {
    ctx.redirect("/keys?done=" + URLEncoder.encode("Key " + key.name() + " was " + what + ".", StandardCharsets.UTF_8),
        HttpStatus.SEE_OTHER);
  }

  private static long id(Context ctx) {
    return ctx.pathParamAsClass("id", Long.class).get();
  }

  /** The form's text fields as the same changes the API makes; a field that is no number is refused by name. */
  static KeyChanges changes(Map<String, String> form) {
    List<Violation> violations = new java.util.ArrayList<>();
    Long perMinute = number(form, "requests_per_minute", violations);
    Long perDay = number(form, "tokens_per_day", violations);
    Instant expiresAt = null;
    String expiry = form.get("expires_at").strip();
    if (!expiry.isEmpty()) {
      try {
        expiresAt = KeyService.expiry(expiry);
      } catch (InvalidInput e) {
        violations.addAll(e.violations());
      }
    }
    if (!violations.isEmpty()) {
      throw new InvalidInput(violations);
    }
    List<String> models = Arrays.stream(form.get("models").split("[,\\s]+")).filter(m -> !m.isBlank()).toList();
    return new KeyChanges(form.get("name"), form.get("owner"), models, perMinute, perDay, expiresAt, expiresAt == null,
        true);
  }

  private static Long number(Map<String, String> form, String field, List<Violation> violations) {
    String text = form.get(field).strip();
    if (text.isEmpty()) {
      return 0L;
    }
    try {
      return Long.parseLong(text);
    } catch (NumberFormatException e) {
      violations.add(new Violation(field, field + " must be a whole number, 0 or empty for no limit"));
      return null;
    }
  }

  private void render(Context ctx, Outcome outcome, KeyService.Created created, Map<String, String> form,
      Map<String, String> errors) {
    Instant now = Instant.now();
    pages.render(ctx, "keys.jte", new KeysPage(WebRoutes.layout(ctx, "Keys", "keys"), outcome,
        keys.list(false).stream().map(key -> KeysPage.Row.of(key, now)).toList(), keys.required(),
        settings.all().get(Setting.KEYS_REQUIRED), created, form, errors));
  }
}
