package dev.ollamabridge.bridge.translate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;

/**
 * Writes an answer as OpenAI's Responses API does: a {@code response} object whose {@code output}
 * holds a reasoning item, a message item and function call items, or, streamed, its event
 * sequence ({@code response.created}, {@code response.output_item.added},
 * {@code response.output_text.delta}, …, {@code response.completed}), each event numbered.
 *
 * <p>Reasoning goes out in both of the forms clients read: as the item's {@code summary} (one
 * {@code summary_text} part, streamed as {@code response.reasoning_summary_*} events, which is all
 * the Vercel AI SDK and Ollama's own {@code /v1/responses} use) and as its {@code content} (one
 * {@code reasoning_text} part, streamed as {@code response.reasoning_text.*}, the open-weight
 * models' form). Both hold the backend's reasoning as it came: the bridge has no summarizer.
 *
 * <p>The echoed settings ({@code instructions}, {@code tools}, {@code temperature}, …) are the
 * client's own request's, as OpenAI echoes them.
 */
final class ResponsesEncoder implements ClientEncoder {

  /** What the item being streamed is; text and reasoning each open an item of their own. */
  private enum Open { NOTHING, REASONING, MESSAGE }

  private final ObjectNode request;
  private final String model;
  private final String id = "resp_" + hex();
  private final long createdAt = System.currentTimeMillis() / 1000;
  private final ArrayNode output = Json.MAPPER.createArrayNode();
  private int sequence;
  private boolean started;
  private Open open = Open.NOTHING;
  private String openId;
  private final StringBuilder openText = new StringBuilder();

  ResponsesEncoder(ObjectNode request, String model) {
    this.request = request;
    this.model = model;
  }

  @Override
  public String streamContentType() {
    return "text/event-stream";
  }

  @Override
  public byte[] delta(Event.Delta delta) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    start(out);
    if (!delta.reasoning().isEmpty()) {
      openItem(out, Open.REASONING);
      openText.append(delta.reasoning());
      event(out, summaryPart("response.reasoning_summary_text.delta").put("delta", delta.reasoning()));
      event(out, part("response.reasoning_text.delta").put("delta", delta.reasoning()));
    }
    if (!delta.content().isEmpty()) {
      openItem(out, Open.MESSAGE);
      openText.append(delta.content());
      ObjectNode event = part("response.output_text.delta").put("delta", delta.content());
      event.putArray("logprobs");
      event(out, event);
    }
    return out.toByteArray();
  }

  @Override
  public byte[] toolCalls(List<ToolCall> calls) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    start(out);
    closeItem(out);
    for (ToolCall call : calls) {
      ObjectNode item = functionCall(call, output.size());
      int index = output.size();
      ObjectNode added = item.deepCopy().put("status", "in_progress").put("arguments", "");
      event(out, Json.object().put("type", "response.output_item.added").put("output_index", index).set("item", added));
      event(out, Json.object().put("type", "response.function_call_arguments.delta")
          .put("item_id", item.path("id").asText()).put("output_index", index).put("delta", call.arguments()));
      event(out, Json.object().put("type", "response.function_call_arguments.done")
          .put("item_id", item.path("id").asText()).put("output_index", index).put("arguments", call.arguments()));
      output.add(item);
      event(out, Json.object().put("type", "response.output_item.done").put("output_index", index).set("item", item));
    }
    return out.toByteArray();
  }

  @Override
  public byte[] end(Event.End end) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    start(out);
    closeItem(out);
    ObjectNode response = response(end.finishReason(), end.usage());
    response.set("output", output);
    String type = response.path("status").asText().equals("completed") ? "response.completed" : "response.incomplete";
    event(out, Json.object().put("type", type).set("response", response));
    return out.toByteArray();
  }

  /** OpenAI's {@code error} event: the message, type, code and param of the error document. */
  @Override
  public byte[] error(ObjectNode document) {
    JsonNode error = document.path("error");
    ObjectNode event = Json.object().put("type", "error");
    event.set("code", error.path("code").isTextual() ? error.get("code") : error.path("type"));
    event.put("message", error.path("message").asText());
    event.set("param", error.path("param").isTextual() ? error.get("param") : null);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    event(out, event);
    return out.toByteArray();
  }

  @Override
  public byte[] whole(Answer answer) {
    ObjectNode response = response(answer.finishReason(), answer.usage());
    ArrayNode items = response.putArray("output");
    if (!answer.reasoning().isEmpty()) {
      items.add(reasoningItem("rs_" + hex(), answer.reasoning()));
    }
    if (!answer.content().isEmpty() || answer.toolCalls().isEmpty()) {
      items.add(messageItem("msg_" + hex(), answer.content()));
    }
    for (ToolCall call : answer.toolCalls()) {
      items.add(functionCall(call, items.size()));
    }
    return Json.bytes(response);
  }

  /** A stream opens with the response as created, then as in progress. */
  private void start(ByteArrayOutputStream out) {
    if (started) {
      return;
    }
    started = true;
    for (String type : new String[] {"response.created", "response.in_progress"}) {
      ObjectNode response = response(null, null);
      response.putArray("output");
      event(out, Json.object().put("type", type).set("response", response));
    }
  }

  /** Makes {@code kind} the open item, closing another one first. */
  private void openItem(ByteArrayOutputStream out, Open kind) {
    if (open == kind) {
      return;
    }
    closeItem(out);
    open = kind;
    boolean message = kind == Open.MESSAGE;
    openId = (message ? "msg_" : "rs_") + hex();
    ObjectNode item = message ? messageItem(openId, null).put("status", "in_progress") : reasoningItem(openId, null);
    event(out, Json.object().put("type", "response.output_item.added").put("output_index", output.size()).set("item", item));
    if (!message) {
      event(out, summaryPart("response.reasoning_summary_part.added").set("part", summaryText("")));
    }
    event(out, part("response.content_part.added").set("part", message ? textPart("") : reasoningPart("")));
  }

  private void closeItem(ByteArrayOutputStream out) {
    if (open == Open.NOTHING) {
      return;
    }
    boolean message = open == Open.MESSAGE;
    String text = openText.toString();
    if (!message) {
      event(out, summaryPart("response.reasoning_summary_text.done").put("text", text));
      event(out, summaryPart("response.reasoning_summary_part.done").set("part", summaryText(text)));
    }
    ObjectNode done = part(message ? "response.output_text.done" : "response.reasoning_text.done").put("text", text);
    if (message) {
      done.putArray("logprobs");
    }
    event(out, done);
    event(out, part("response.content_part.done").set("part", message ? textPart(text) : reasoningPart(text)));
    ObjectNode item = message ? messageItem(openId, text) : reasoningItem(openId, text);
    event(out, Json.object().put("type", "response.output_item.done").put("output_index", output.size()).set("item", item));
    output.add(item);
    open = Open.NOTHING;
    openText.setLength(0);
  }

  /** An event about the open item's one content part. */
  private ObjectNode part(String type) {
    return Json.object().put("type", type).put("item_id", openId).put("output_index", output.size()).put("content_index", 0);
  }

  /** An event about the open reasoning item's one summary part. */
  private ObjectNode summaryPart(String type) {
    return Json.object().put("type", type).put("item_id", openId).put("output_index", output.size()).put("summary_index", 0);
  }

  /**
   * The response object; {@code finishReason} null means still in progress. A cut-off answer is
   * {@code incomplete}, with the reason OpenAI gives.
   */
  private ObjectNode response(String finishReason, Usage usage) {
    ObjectNode response = Json.object().put("id", id).put("object", "response").put("created_at", createdAt);
    String incomplete = "length".equals(finishReason) ? "max_output_tokens"
        : "content_filter".equals(finishReason) ? "content_filter" : null;
    response.put("status", finishReason == null ? "in_progress" : incomplete != null ? "incomplete" : "completed");
    response.putNull("error");
    if (incomplete != null) {
      response.putObject("incomplete_details").put("reason", incomplete);
    } else {
      response.putNull("incomplete_details");
    }
    response.set("instructions", echo("instructions", null));
    response.set("max_output_tokens", echo("max_output_tokens", null));
    response.put("model", model);
    response.set("parallel_tool_calls", echo("parallel_tool_calls", Json.MAPPER.getNodeFactory().booleanNode(true)));
    response.putNull("previous_response_id");
    ObjectNode reasoning = response.putObject("reasoning");
    reasoning.set("effort", request.path("reasoning").path("effort").isTextual() ? request.at("/reasoning/effort") : null);
    reasoning.putNull("summary");
    response.put("store", false); // nothing is kept: previous_response_id cannot refer to it
    response.set("temperature", echo("temperature", Json.MAPPER.getNodeFactory().numberNode(1.0)));
    ObjectNode text = response.putObject("text");
    text.set("format", request.path("text").path("format").isObject()
        ? request.at("/text/format") : Json.object().put("type", "text"));
    response.set("tool_choice", echo("tool_choice", Json.MAPPER.getNodeFactory().textNode("auto")));
    response.set("tools", echo("tools", Json.MAPPER.createArrayNode()));
    response.set("top_p", echo("top_p", Json.MAPPER.getNodeFactory().numberNode(1.0)));
    response.put("truncation", "disabled");
    if (usage != null && usage.reported()) {
      ObjectNode counts = response.putObject("usage").put("input_tokens", usage.promptTokens());
      counts.putObject("input_tokens_details").put("cached_tokens", 0).put("cache_write_tokens", 0);
      counts.put("output_tokens", usage.completionTokens());
      // Ollama counts no reasoning tokens apart: 0 then, as Ollama's own /v1/responses says
      counts.putObject("output_tokens_details").put("reasoning_tokens", usage.reasoningTokens());
      counts.put("total_tokens", usage.totalTokens());
    } else {
      response.putNull("usage");
    }
    response.set("user", echo("user", null));
    response.set("metadata", echo("metadata", Json.object()));
    return response;
  }

  private JsonNode echo(String field, JsonNode otherwise) {
    JsonNode value = request.get(field);
    return value != null && !value.isNull() ? value : otherwise;
  }

  /** A message item; {@code text} null for one just opened, which has no content yet. */
  private static ObjectNode messageItem(String itemId, String text) {
    ObjectNode item = Json.object().put("id", itemId).put("type", "message").put("status", "completed").put("role", "assistant");
    ArrayNode content = item.putArray("content");
    if (text != null) {
      content.add(textPart(text));
    }
    return item;
  }

  /**
   * A reasoning item, its text both its summary and its content; {@code text} null for one just
   * opened. Like OpenAI's, it has no {@code status}; it has no {@code encrypted_content} either, as
   * the bridge keeps no state a client could hand back.
   */
  private static ObjectNode reasoningItem(String itemId, String text) {
    ObjectNode item = Json.object().put("id", itemId).put("type", "reasoning");
    ArrayNode summary = item.putArray("summary");
    ArrayNode content = item.putArray("content");
    if (text != null) {
      summary.add(summaryText(text));
      content.add(reasoningPart(text));
    }
    return item;
  }

  private static ObjectNode summaryText(String text) {
    return Json.object().put("type", "summary_text").put("text", text);
  }

  private static ObjectNode functionCall(ToolCall call, int index) {
    String callId = call.id() != null ? call.id() : "call_" + index;
    return Json.object().put("id", "fc_" + hex()).put("type", "function_call").put("status", "completed")
        .put("arguments", call.arguments()).put("call_id", callId).put("name", call.name());
  }

  private static ObjectNode textPart(String text) {
    ObjectNode part = Json.object().put("type", "output_text").put("text", text);
    part.putArray("annotations");
    part.putArray("logprobs");
    return part;
  }

  private static ObjectNode reasoningPart(String text) {
    return Json.object().put("type", "reasoning_text").put("text", text);
  }

  /** One SSE event, named as its {@code type} and numbered in order. */
  private void event(ByteArrayOutputStream out, ObjectNode event) {
    event.put("sequence_number", sequence++);
    out.writeBytes(("event: " + event.path("type").asText() + "\ndata: ").getBytes(StandardCharsets.UTF_8));
    out.writeBytes(Json.bytes(event));
    out.writeBytes("\n\n".getBytes(StandardCharsets.UTF_8));
  }

  private static String hex() {
    return UUID.randomUUID().toString().replace("-", "");
  }
}
