package dev.ollamabridge.console.web;

import dev.ollamabridge.console.alerts.AlertService;
import dev.ollamabridge.console.alerts.Delivery;
import dev.ollamabridge.console.alerts.Rule;
import dev.ollamabridge.console.alerts.Webhook;
import java.util.List;
import java.util.Map;

/**
 * The Alerts page: the webhooks, the form for a new one, the rules, and the live part (what fires
 * now, the delivery log).
 *
 * @param machine the name of the machine the console posts from
 * @param ruleErrors why a rule's field was refused, by its field ({@code error_ratio.threshold})
 * @param posted the rules' form as posted when it was refused, by field; null: the rules as they are
 */
public record AlertsPage(Layout layout, Outcome outcome, String machine, List<Webhook> webhooks, NewWebhook form,
    List<Rule> rules, Map<String, String> ruleErrors, Map<String, String> posted, Live live) {

  /** The new webhook's form as posted, and why each field was refused. */
  public record NewWebhook(String name, String url, String format, Map<String, String> errors) {

    static final NewWebhook EMPTY = new NewWebhook("", "", "generic", Map.of());

    public String error(String field) {
      return errors.get(field);
    }
  }

  /** Polled every few seconds: the alerts firing now and the newest deliveries. */
  public record Live(List<AlertService.Firing> firing, List<Delivery> deliveries) {

    public static String tone(String status) {
      return switch (status) {
        case "delivered" -> "good";
        case "failed" -> "bad";
        default -> "busy";
      };
    }
  }

  public String ruleError(String field) {
    return ruleErrors.get(field);
  }

  /** Whether the form shows the rule on: as posted after a refusal, else as it is. */
  public boolean enabled(Rule rule) {
    return posted == null ? rule.enabled() : posted.containsKey(rule.kind().word() + ".enabled");
  }

  /** The threshold as the form shows it: as posted after a refusal, else as it is. */
  public String threshold(Rule rule) {
    return posted == null ? number(rule.threshold()) : posted.getOrDefault(rule.kind().word() + ".threshold", "");
  }

  /** The minutes as the form shows them: as posted after a refusal, else as they are. */
  public String minutes(Rule rule) {
    return posted == null ? String.valueOf(rule.minutes()) : posted.getOrDefault(rule.kind().word() + ".minutes", "");
  }

  /** A threshold as the form shows it: 80, not 80.0. */
  public static String number(Double value) {
    return value == null ? "" : value == Math.rint(value) ? Long.toString(value.longValue()) : value.toString();
  }
}
