package dev.ollamabridge.bridge.translate;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;

/** Writes chat completions and text completions as OpenAI's API does, streams as SSE. */
final class OpenAiEncoder implements ClientEncoder {

  private static final byte[] DONE = "data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8);

  private final Kind kind;
  private final String model;
  private final boolean includeUsage;
  private final String id;
  private final long created = System.currentTimeMillis() / 1000;
  private boolean started;
  private boolean sentToolCalls;
  /** Characters of completion text sent so far: where the next piece's legacy {@code text_offset} starts. */
  private int completionChars;

  OpenAiEncoder(Kind kind, String model, boolean includeUsage) {
    this.kind = kind;
    this.model = model;
    this.includeUsage = includeUsage;
    this.id = (kind == Kind.CHAT ? "chatcmpl-" : "cmpl-") + UUID.randomUUID().toString().replace("-", "");
  }

  @Override
  public String streamContentType() {
    return "text/event-stream";
  }

  @Override
  public byte[] delta(Event.Delta delta) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    start(out);
    ObjectNode chunk = chunk();
    ObjectNode choice = choiceOf(chunk);
    if (kind == Kind.CHAT) {
      ObjectNode message = choice.putObject("delta");
      message.put("content", delta.content());
      if (!delta.reasoning().isEmpty()) {
        message.put("reasoning_content", delta.reasoning());
      }
    } else {
      choice.put("text", delta.content());
    }
    choice.set("logprobs", logprobs(delta.logprobs(), completionChars));
    completionChars += delta.content().length();
    choice.putNull("finish_reason");
    write(out, chunk);
    return out.toByteArray();
  }

  @Override
  public byte[] toolCalls(List<ToolCall> calls) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    start(out);
    if (kind == Kind.CHAT) {
      sentToolCalls = true;
      ObjectNode chunk = chunk();
      ObjectNode choice = choiceOf(chunk);
      choice.putObject("delta").set("tool_calls", toolCallsNode(calls, true));
      choice.putNull("logprobs");
      choice.putNull("finish_reason");
      write(out, chunk);
    }
    return out.toByteArray();
  }

  @Override
  public byte[] end(Event.End end) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    start(out);
    ObjectNode chunk = chunk();
    ObjectNode choice = choiceOf(chunk);
    if (kind == Kind.CHAT) {
      choice.putObject("delta");
    } else {
      choice.put("text", "");
    }
    choice.putNull("logprobs");
    choice.put("finish_reason", sentToolCalls ? "tool_calls" : end.finishReason());
    write(out, chunk);
    if (includeUsage) {
      ObjectNode usage = envelope();
      usage.putArray("choices");
      usage.set("usage", usage(end.usage())); // null when the upstream did not count
      write(out, usage);
    }
    out.writeBytes(DONE);
    return out.toByteArray();
  }

  @Override
  public byte[] error(ObjectNode document) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    write(out, document);
    return out.toByteArray();
  }

  @Override
  public byte[] whole(Answer answer) {
    ObjectNode body = envelope();
    body.put("object", kind == Kind.CHAT ? "chat.completion" : "text_completion");
    ObjectNode choice = body.putArray("choices").addObject().put("index", 0);
    boolean calls = kind == Kind.CHAT && !answer.toolCalls().isEmpty();
    if (kind == Kind.CHAT) {
      ObjectNode message = choice.putObject("message").put("role", "assistant");
      if (calls && answer.content().isEmpty()) {
        message.putNull("content");
      } else {
        message.put("content", answer.content());
      }
      if (!answer.reasoning().isEmpty()) {
        message.put("reasoning_content", answer.reasoning());
      }
      if (calls) {
        message.set("tool_calls", toolCallsNode(answer.toolCalls(), false));
      }
    } else {
      choice.put("text", answer.content());
    }
    choice.set("logprobs", logprobs(answer.logprobs(), 0));
    choice.put("finish_reason", calls ? "tool_calls" : answer.finishReason());
    if (answer.usage().reported()) { // usage the upstream did not count is left out, not made up as zeros
      body.set("usage", usage(answer.usage()));
    }
    return Json.bytes(body);
  }

  /**
   * A choice's {@code logprobs}: null when the upstream sent none (not asked for, or not supported),
   * chat's {@code {content, refusal}}, or a completion's legacy lists starting at {@code offset}.
   */
  private ObjectNode logprobs(List<TokenLogprob> logprobs, int offset) {
    if (logprobs.isEmpty()) {
      return null;
    }
    if (kind != Kind.CHAT) {
      return LogprobJson.writeLegacy(logprobs, offset);
    }
    ObjectNode node = Json.object();
    node.set("content", LogprobJson.write(logprobs, true));
    return node.putNull("refusal");
  }

  /** OpenAI opens every chat stream with a chunk that only names the role. */
  private void start(ByteArrayOutputStream out) {
    if (started) {
      return;
    }
    started = true;
    if (kind == Kind.CHAT) {
      ObjectNode chunk = chunk();
      ObjectNode choice = choiceOf(chunk);
      choice.putObject("delta").put("role", "assistant").put("content", "");
      choice.putNull("logprobs");
      choice.putNull("finish_reason");
      write(out, chunk);
    }
  }

  private ObjectNode envelope() {
    ObjectNode node = Json.object();
    node.put("id", id);
    node.put("object", kind == Kind.CHAT ? "chat.completion.chunk" : "text_completion");
    node.put("created", created);
    node.put("model", model);
    return node;
  }

  /** A stream chunk with one choice, to be filled through {@link #choiceOf}. */
  private ObjectNode chunk() {
    ObjectNode chunk = envelope();
    chunk.putArray("choices").addObject().put("index", 0);
    return chunk;
  }

  private static ObjectNode choiceOf(ObjectNode chunk) {
    return (ObjectNode) chunk.get("choices").get(0);
  }

  private static void write(ByteArrayOutputStream out, ObjectNode node) {
    out.writeBytes("data: ".getBytes(StandardCharsets.UTF_8));
    out.writeBytes(Json.bytes(node));
    out.writeBytes("\n\n".getBytes(StandardCharsets.UTF_8));
  }

  private static ArrayNode toolCallsNode(List<ToolCall> calls, boolean indexed) {
    ArrayNode array = JsonNodeFactory.instance.arrayNode();
    for (int i = 0; i < calls.size(); i++) {
      ToolCall call = calls.get(i);
      ObjectNode node = array.addObject();
      if (indexed) {
        node.put("index", i);
      }
      node.put("id", call.id() != null ? call.id() : "call_" + i);
      node.put("type", "function");
      node.putObject("function").put("name", call.name()).put("arguments", call.arguments());
    }
    return array;
  }

  private static ObjectNode usage(Usage usage) {
    if (!usage.reported()) {
      return null;
    }
    ObjectNode counts = Json.object()
        .put("prompt_tokens", usage.promptTokens())
        .put("completion_tokens", usage.completionTokens())
        .put("total_tokens", usage.totalTokens());
    if (usage.reasoningTokens() > 0) { // only a count the upstream gave: Ollama gives none
      counts.putObject("completion_tokens_details").put("reasoning_tokens", usage.reasoningTokens());
    }
    return counts;
  }
}
