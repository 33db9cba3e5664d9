package dev.ollamabridge.console.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ollamabridge.console.alerts.AlertKind;
import dev.ollamabridge.console.alerts.AlertService;
import dev.ollamabridge.console.alerts.Delivery;
import dev.ollamabridge.console.alerts.Rule;
import dev.ollamabridge.console.alerts.RuleChange;
import dev.ollamabridge.console.alerts.Webhook;
import dev.ollamabridge.console.alerts.WebhookChanges;
import dev.ollamabridge.console.instances.InvalidInput;
import io.javalin.http.Context;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Thin handlers of {@code /api/v1/alerts}: webhooks (added, changed, deleted, tested), the rules, and
 * the delivery log. A webhook's URL is answered with its path hidden: it is often its secret.
 */
final class AlertRoutes {

  private static final Set<String> WEBHOOK_FIELDS = Set.of("name", "url", "format", "enabled");
  private static final Set<String> RULE_FIELDS = Set.of("enabled", "threshold", "minutes");

  private final AlertService alerts;
  private final JsonBodies bodies;

  AlertRoutes(AlertService alerts, JsonBodies bodies) {
    this.alerts = alerts;
    this.bodies = bodies;
  }

  void webhooks(Context ctx) {
    ArrayNode all = JsonNodeFactory.instance.arrayNode();
    alerts.webhooks().forEach(webhook -> all.add(json(webhook)));
    ctx.json(all);
  }

  void addWebhook(Context ctx) {
    Webhook added = alerts.addWebhook(webhookChanges(bodies.object(ctx, false)), ConsoleApi.actor(ctx));
    ctx.status(201).header("Location", "/api/v1/alerts/webhooks/" + added.id()).json(json(added));
  }

  void updateWebhook(Context ctx) {
    ctx.json(json(alerts.updateWebhook(id(ctx), webhookChanges(bodies.object(ctx, false)), ConsoleApi.actor(ctx))));
  }

  void deleteWebhook(Context ctx) {
    alerts.deleteWebhook(id(ctx), ConsoleApi.actor(ctx));
    ctx.status(204);
  }

  /** 202: the test alert is on its way; its delivery shows in {@code GET /alerts/deliveries}. */
  void test(Context ctx) {
    long id = id(ctx);
    alerts.test(id, ConsoleApi.actor(ctx));
    ctx.status(202).json(JsonNodeFactory.instance.objectNode().put("webhook", id).put("sent", true));
  }

  void rules(Context ctx) {
    ctx.json(rulesJson(alerts.rules()));
  }

  /** {@code {"error_ratio": {"threshold": 10, "minutes": 3}, "instance_down": {"enabled": false}}}. */
  void updateRules(Context ctx) {
    ObjectNode body = bodies.object(ctx, false);
    List<RuleChange> changes = new ArrayList<>();
    for (Map.Entry<String, JsonNode> entry : body.properties()) {
      AlertKind kind = AlertKind.of(entry.getKey()).orElseThrow(() -> new InvalidInput(entry.getKey(),
          entry.getKey() + " is no alert rule: " + String.join(", ", kinds())));
      JsonNode rule = entry.getValue();
      if (!rule.isObject()) {
        throw new InvalidInput(kind.word(), kind.word() + " must be an object such as {\"enabled\": true}");
      }
      rule.fieldNames().forEachRemaining(field -> {
        if (!RULE_FIELDS.contains(field)) {
          throw new InvalidInput(kind.word() + "." + field, field + " is not a field of a rule: enabled, threshold, minutes");
        }
      });
      changes.add(new RuleChange(kind, bool(rule, kind.word() + ".enabled"), number(rule, kind.word() + ".threshold"),
          integer(rule, kind.word() + ".minutes")));
    }
    ctx.json(rulesJson(alerts.updateRules(changes, ConsoleApi.actor(ctx))));
  }

  void deliveries(Context ctx) {
    int limit = QueryParams.integer(ctx, "limit", 100, 1, 1000);
    ArrayNode all = JsonNodeFactory.instance.arrayNode();
    for (Delivery d : alerts.deliveries(limit)) {
      all.addObject().put("id", d.id()).put("webhook_id", d.webhookId()).put("webhook", d.webhookName())
          .put("alert", d.kind()).put("state", d.state()).put("subject", d.subject()).put("summary", d.summary())
          .put("status", d.status()).put("attempts", d.attempts()).put("last_status", d.lastStatus())
          .put("last_error", d.lastError()).put("at", d.at().toString()).put("updated_at", d.updatedAt().toString());
    }
    ctx.json(all);
  }

  private static WebhookChanges webhookChanges(ObjectNode body) {
    body.fieldNames().forEachRemaining(field -> {
      if (!WEBHOOK_FIELDS.contains(field)) {
        throw new InvalidInput(field, field + " is not a field of a webhook: name, url, format, enabled");
      }
    });
    return new WebhookChanges(text(body, "name"), text(body, "url"), text(body, "format"), bool(body, "enabled"));
  }

  private static long id(Context ctx) {
    return ctx.pathParamAsClass("id", Long.class).get();
  }

  private static String text(JsonNode body, String field) {
    return value(body, field, JsonNode::isTextual, "a string", JsonNode::asText);
  }

  private static Boolean bool(JsonNode body, String field) {
    return value(body, field, JsonNode::isBoolean, "true or false", JsonNode::asBoolean);
  }

  private static Double number(JsonNode body, String field) {
    return value(body, field, JsonNode::isNumber, "a number", JsonNode::asDouble);
  }

  private static Integer integer(JsonNode body, String field) {
    return value(body, field, v -> v.isIntegralNumber() && v.canConvertToInt(),
        "an integer from 0 to " + AlertKind.MAX_MINUTES, JsonNode::asInt);
  }

  /**
   * The value of {@code field} (its last part, after a rule's {@code kind.}) in {@code body}, null when
   * absent, refused naming the whole field when it is not of its type.
   */
  private static <T> T value(JsonNode body, String field, java.util.function.Predicate<JsonNode> ofType, String type,
      java.util.function.Function<JsonNode, T> read) {
    JsonNode value = body.get(field.substring(field.lastIndexOf('.') + 1));
    if (value == null) {
      return null;
    }
    if (!ofType.test(value)) {
      throw new InvalidInput(field, field + " must be " + type);
    }
    return read.apply(value);
  }

  private static List<String> kinds() {
    return java.util.Arrays.stream(AlertKind.values()).map(AlertKind::word).toList();
  }

  static ObjectNode json(Webhook webhook) {
    return JsonNodeFactory.instance.objectNode().put("id", webhook.id()).put("name", webhook.name())
        .put("url", webhook.shownUrl()).put("format", webhook.format()).put("enabled", webhook.enabled())
        .put("created_at", webhook.createdAt().toString());
  }

  private static ObjectNode rulesJson(List<Rule> rules) {
    ObjectNode all = JsonNodeFactory.instance.objectNode();
    for (Rule rule : rules) {
      ObjectNode one = all.putObject(rule.kind().word()).put("enabled", rule.enabled());
      if (rule.kind().takesThreshold()) {
        one.put("threshold", rule.threshold()).put("unit", rule.kind().unit());
      }
      if (rule.kind().takesMinutes()) {
        one.put("minutes", rule.minutes());
      }
      one.put("description", rule.kind().description());
    }
    return all;
  }
}
