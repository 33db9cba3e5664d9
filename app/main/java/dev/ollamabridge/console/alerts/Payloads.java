package dev.ollamabridge.console.alerts;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * An alert's body as each format posts it: the console's generic JSON, or Slack's incoming-webhook
 * shape ({@code text} for notifications, {@code blocks} for the message), which Mattermost, Rocket.Chat
 * and Discord's Slack-compatible endpoints take as well.
 */
final class Payloads {

  private Payloads() {}

  static String body(ObjectMapper json, String format, Alert alert, String console) {
    ObjectNode body = Webhook.SLACK.equals(format) ? slack(alert, console) : generic(alert, console);
    try {
      return json.writeValueAsString(body);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("an alert could not be written as JSON", e);
    }
  }

  /** {@code {"alert", "state", "subject", "message", "at", "console"}}. */
  static ObjectNode generic(Alert alert, String console) {
    return JsonNodeFactory.instance.objectNode().put("alert", alert.kind()).put("state", alert.state().word())
        .put("subject", alert.subject()).put("message", alert.message()).put("at", alert.at().toString())
        .put("console", console);
  }

  static ObjectNode slack(Alert alert, String console) {
    String headline = (alert.state() == Alert.State.FIRING ? ":red_circle: " : ":large_green_circle: ")
        + "[" + alert.state().word() + "] " + alert.kind() + (alert.subject() == null ? "" : " · " + alert.subject());
    ObjectNode body = JsonNodeFactory.instance.objectNode();
    body.put("text", escape(headline + (alert.message() == null ? "" : ": " + alert.message())));
    ArrayNode blocks = body.putArray("blocks");
    blocks.addObject().put("type", "section").putObject("text").put("type", "mrkdwn")
        .put("text", "*" + escape(headline) + "*" + (alert.message() == null ? "" : "\n" + escape(alert.message())));
    blocks.addObject().put("type", "context").putArray("elements").addObject().put("type", "mrkdwn")
        .put("text", escape("console " + console + " · " + alert.at()));
    return body;
  }

  /** The three characters Slack's text reads as markup; a subject or message from outside must not link or mention. */
  static String escape(String text) {
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }
}
