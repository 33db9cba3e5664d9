package dev.ollamabridge.bridge.translate;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * Writes neutral {@link Event}s in the client's dialect: stream chunks as they come, or a whole
 * answer at once. One encoder per answer; it may keep state (the first chunk, timings).
 */
public interface ClientEncoder {

  /** The content type of a streamed answer. */
  String streamContentType();

  /** The bytes of one streamed piece of text (a whole SSE event or NDJSON line). */
  byte[] delta(Event.Delta delta);

  /** The bytes of streamed tool calls. */
  byte[] toolCalls(List<ToolCall> calls);

  /** The bytes that end a complete stream. */
  byte[] end(Event.End end);

  /** The bytes that end a stream that failed after it started: the error document, framed as a piece. */
  byte[] error(ObjectNode document);

  /** A whole, non-streamed answer as a JSON document. */
  byte[] whole(Answer answer);

  /**
   * @param model the model as the client named it, which the answer names (the prompt's may be the
   *     backend's name for it)
   */
  static ClientEncoder of(Prompt prompt, String model) {
    return prompt.dialect() == Dialect.OPENAI
        ? new OpenAiEncoder(prompt.kind(), model, prompt.includeUsage())
        : new OllamaEncoder(prompt.kind(), model);
  }

  /** Writes the Responses API's response object and events, echoing the settings of {@code request}. */
  static ClientEncoder responses(ObjectNode request, String model) {
    return new ResponsesEncoder(request, model);
  }
}
