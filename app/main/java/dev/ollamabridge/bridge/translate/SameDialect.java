package dev.ollamabridge.bridge.translate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.HashMap;
import java.util.Map;

/**
 * An upstream's own documents for a client of the same dialect: everything the bridge does not
 * need to change reaches the client as the backend sent it (every choice of {@code n}, logprobs,
 * ids, {@code system_fingerprint}, …); only the text the think filter moves is rewritten, per
 * choice, and the model's name where the client asked for it by an alias. Log probabilities pass
 * as the backend sent them, those of text the think filter moves included. One per answer.
 */
public final class SameDialect {

  private final Dialect dialect;
  private final boolean filterThinking;
  private final boolean keepReasoning;
  private final boolean clientAskedForUsage;
  private final String clientModel;
  private final Map<Integer, ThinkFilter> filters = new HashMap<>();

  /**
   * @param clientAskedForUsage whether an OpenAI client asked for the usage chunk; the bridge always
   *     asks the backend for it, and drops it again for a client that did not
   * @param clientModel the name the client gave the model when the backend knows it by another, which
   *     each document then names instead of the backend's; null to leave the backend's name
   */
  public SameDialect(Dialect dialect, boolean filterThinking, boolean keepReasoning, boolean clientAskedForUsage,
      String clientModel) {
    this.dialect = dialect;
    this.filterThinking = filterThinking;
    this.keepReasoning = keepReasoning;
    this.clientAskedForUsage = clientAskedForUsage;
    this.clientModel = clientModel;
  }

  /** A streamed chunk as the client gets it, or null when it is not the client's (a usage chunk it did not ask for). */
  public ObjectNode chunk(ObjectNode chunk) {
    renameModel(chunk);
    if (dialect == Dialect.OLLAMA) {
      rewrite(chunk, 0, chunk.path("done").asBoolean(false));
      return chunk;
    }
    JsonNode choices = chunk.path("choices");
    if (!clientAskedForUsage) {
      if (choices.isArray() && choices.isEmpty() && chunk.hasNonNull("usage")) {
        return null;
      }
      chunk.remove("usage");
    }
    for (JsonNode choice : choices) {
      rewrite((ObjectNode) choice, choice.path("index").asInt(0), choice.hasNonNull("finish_reason"));
    }
    return chunk;
  }

  /** A whole answer as the client gets it. */
  public ObjectNode whole(ObjectNode document) {
    renameModel(document);
    if (dialect == Dialect.OLLAMA) {
      rewrite(document, 0, true);
    } else {
      for (JsonNode choice : document.path("choices")) {
        rewrite((ObjectNode) choice, choice.path("index").asInt(0), true);
      }
    }
    return document;
  }

  private void renameModel(ObjectNode document) {
    if (clientModel != null && document.path("model").isTextual()) {
      document.put("model", clientModel);
    }
  }

  /** Moves the think tags of one choice's text into its reasoning; at its end, releases what was held back. */
  private void rewrite(ObjectNode holder, int index, boolean last) {
    ObjectNode part = textHolder(holder);
    if (part == null) {
      return;
    }
    String contentField = contentField(holder, part);
    String reasoningField = dialect == Dialect.OPENAI ? "reasoning_content" : "thinking";
    String content = part.path(contentField).isTextual() ? part.get(contentField).asText() : "";
    String reasoning = part.path(reasoningField).isTextual() ? part.get(reasoningField).asText() : "";
    if (content.isEmpty() && reasoning.isEmpty() && !last) {
      return;
    }
    ThinkFilter filter = filters.computeIfAbsent(index, i -> new ThinkFilter(filterThinking, keepReasoning));
    Event.Delta out = filter.apply(new Event.Delta(content, reasoning));
    if (last) {
      Event.Delta tail = filter.finish();
      out = new Event.Delta(out.content() + tail.content(), out.reasoning() + tail.reasoning());
    }
    if (part.path(contentField).isTextual() || !out.content().isEmpty()) {
      part.put(contentField, out.content());
    }
    if (!out.reasoning().isEmpty()) {
      part.put(reasoningField, out.reasoning());
    } else if (part.has(reasoningField) && part.get(reasoningField).isTextual()) {
      part.remove(reasoningField);
    }
  }

  /** Where a choice keeps its text: OpenAI's delta or message, a completion's choice itself, Ollama's message or line. */
  private ObjectNode textHolder(ObjectNode holder) {
    for (String field : new String[] {"delta", "message"}) {
      if (holder.path(field).isObject()) {
        return (ObjectNode) holder.get(field);
      }
    }
    return holder;
  }

  private String contentField(ObjectNode holder, ObjectNode part) {
    if (part != holder) {
      return "content"; // a chat message or delta
    }
    return dialect == Dialect.OPENAI ? "text" : "response"; // a completion, or Ollama's generate
  }
}
