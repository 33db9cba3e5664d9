package dev.ollamabridge.console.web;

import dev.ollamabridge.console.alerts.AlertKind;
import dev.ollamabridge.console.alerts.AlertNotFound;
import dev.ollamabridge.console.alerts.AlertService;
import dev.ollamabridge.console.alerts.RuleChange;
import dev.ollamabridge.console.alerts.Webhook;
import dev.ollamabridge.console.alerts.WebhookChanges;
import dev.ollamabridge.console.instances.InvalidInput;
import dev.ollamabridge.console.validation.Violation;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import io.javalin.http.NotFoundResponse;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code /alerts}: webhooks (added, turned on or off, tested, deleted), the rules, and the delivery
 * log. Each action posts a plain form and comes back to the page, which says what it did.
 */
final class AlertPages {

  private static final int SHOWN_DELIVERIES = 50;

  private final AlertService alerts;
  private final String machine;
  private final Pages pages;

  AlertPages(AlertService alerts, String machine, Pages pages) {
    this.alerts = alerts;
    this.machine = machine;
    this.pages = pages;
  }

  void show(Context ctx) {
    render(ctx, outcome(ctx), AlertsPage.NewWebhook.EMPTY, Map.of(), null);
  }

  void live(Context ctx) {
    pages.render(ctx, "alerts/_live.jte", live());
  }

  void addWebhook(Context ctx) {
    String name = form(ctx, "name");
    String url = form(ctx, "url");
    String format = ctx.formParam("format") == null ? Webhook.GENERIC : ctx.formParam("format");
    try {
      Webhook added = alerts.addWebhook(new WebhookChanges(name, url, format, true), WebRoutes.actor(ctx));
      ctx.redirect("/alerts?done=added&id=" + added.id(), HttpStatus.SEE_OTHER);
    } catch (InvalidInput e) {
      Map<String, String> errors = new LinkedHashMap<>();
      e.violations().forEach(v -> errors.putIfAbsent(v.field(), v.message()));
      ctx.status(400);
      render(ctx, Outcome.NONE, new AlertsPage.NewWebhook(name, url, format, errors), Map.of(), null);
    }
  }

  void setEnabled(Context ctx) {
    long id = id(ctx);
    boolean on = "on".equals(ctx.formParam("enabled"));
    alerts.updateWebhook(id, new WebhookChanges(null, null, null, on), WebRoutes.actor(ctx));
    ctx.redirect("/alerts?done=" + (on ? "enabled" : "disabled") + "&id=" + id, HttpStatus.SEE_OTHER);
  }

  void test(Context ctx) {
    long id = id(ctx);
    alerts.test(id, WebRoutes.actor(ctx));
    ctx.redirect("/alerts?done=test&id=" + id, HttpStatus.SEE_OTHER);
  }

  void delete(Context ctx) {
    alerts.deleteWebhook(id(ctx), WebRoutes.actor(ctx));
    ctx.redirect("/alerts?done=deleted", HttpStatus.SEE_OTHER);
  }

  /** Every rule's on/off, threshold and minutes from one form; a refused field is shown beside its rule. */
  void saveRules(Context ctx) {
    List<RuleChange> changes = new ArrayList<>();
    Map<String, String> errors = new LinkedHashMap<>();
    for (AlertKind kind : AlertKind.values()) {
      String prefix = kind.word() + ".";
      Double threshold = kind.takesThreshold() ? number(ctx, prefix + "threshold", errors) : null;
      Double minutes = kind.takesMinutes() ? number(ctx, prefix + "minutes", errors) : null;
      if (minutes != null && minutes != Math.rint(minutes)) {
        errors.put(prefix + "minutes", prefix + "minutes must be a whole number of minutes");
        minutes = null;
      }
      changes.add(new RuleChange(kind, ctx.formParam(prefix + "enabled") != null, threshold,
          minutes == null ? null : (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, minutes))));
    }
    try {
      if (!errors.isEmpty()) {
        throw new InvalidInput(errors.entrySet().stream().map(e -> new Violation(e.getKey(), e.getValue())).toList());
      }
      alerts.updateRules(changes, WebRoutes.actor(ctx));
      ctx.redirect("/alerts?done=rules", HttpStatus.SEE_OTHER);
    } catch (InvalidInput e) {
      e.violations().forEach(v -> errors.putIfAbsent(v.field(), v.message()));
      ctx.status(400);
      Map<String, String> posted = new LinkedHashMap<>();
      ctx.formParamMap().forEach((field, values) -> {
        if (field.contains(".") && !values.isEmpty()) {
          posted.put(field, values.get(0));
        }
      });
      render(ctx, Outcome.NONE, AlertsPage.NewWebhook.EMPTY, errors, posted);
    }
  }

  private Outcome outcome(Context ctx) {
    String done = ctx.queryParam("done");
    if (done == null) {
      return Outcome.NONE;
    }
    String name = alerts.webhooks().stream().filter(w -> String.valueOf(w.id()).equals(ctx.queryParam("id")))
        .map(Webhook::name).findFirst().orElse("the webhook");
    return switch (done) {
      case "added" -> Outcome.notice("Webhook " + name + " was added: alerts go to it from now on. Send it a test to check it.");
      case "test" -> Outcome.notice("A test alert is on its way to " + name + ": its delivery shows in the log below.");
      case "enabled" -> Outcome.notice("Webhook " + name + " is on: alerts go to it.");
      case "disabled" -> Outcome.notice("Webhook " + name + " is off: no alert goes to it until it is turned on.");
      case "deleted" -> Outcome.notice("The webhook was deleted; its deliveries stay in the log.");
      case "rules" -> Outcome.notice("The rules were saved.");
      default -> Outcome.NONE;
    };
  }

  private void render(Context ctx, Outcome outcome, AlertsPage.NewWebhook form, Map<String, String> ruleErrors,
      Map<String, String> posted) {
    pages.render(ctx, "alerts.jte", new AlertsPage(WebRoutes.layout(ctx, "Alerts", "alerts"), outcome, machine,
        alerts.webhooks(), form, alerts.rules(), ruleErrors, posted, live()));
  }

  private AlertsPage.Live live() {
    return new AlertsPage.Live(alerts.firing(), alerts.deliveries(SHOWN_DELIVERIES));
  }

  private long id(Context ctx) {
    long id = ctx.pathParamAsClass("id", Long.class).get();
    try {
      alerts.webhook(id);
    } catch (AlertNotFound e) {
      throw new NotFoundResponse(e.getMessage());
    }
    return id;
  }

  private static String form(Context ctx, String field) {
    String value = ctx.formParam(field);
    return value == null ? "" : value.strip();
  }

  private static Double number(Context ctx, String field, Map<String, String> errors) {
    String value = form(ctx, field);
    if (value.isEmpty()) {
      return null;
    }
    try {
      double parsed = Double.parseDouble(value);
      if (Double.isFinite(parsed)) {
        return parsed;
      }
    } catch (NumberFormatException e) {
      // said below
    }
    errors.put(field, field + " must be a number");
    return null;
  }
}
