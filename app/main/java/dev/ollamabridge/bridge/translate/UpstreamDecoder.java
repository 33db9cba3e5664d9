package dev.ollamabridge.bridge.translate;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * Reads an upstream's answers, streamed or whole, into neutral {@link Event}s. Decoders do not
 * care whether the answer is a chat or a completion: both shapes of the dialect are understood.
 * One decoder per answer.
 */
public interface UpstreamDecoder {

  /** The events in one streamed chunk (an SSE {@code data:} object or an NDJSON line). */
  List<Event> chunk(JsonNode chunk);

  /** The stream ended; {@code doneMarker} tells whether OpenAI's {@code [DONE]} was seen. */
  List<Event> endOfStream(boolean doneMarker);

  /** A whole, non-streamed answer. */
  Answer whole(JsonNode body);

  static UpstreamDecoder of(Dialect dialect) {
    return dialect == Dialect.OPENAI ? new OpenAiDecoder() : new OllamaDecoder();
  }

  /** An error the upstream reported in the middle of a stream, after the status line was sent. */
  final class StreamError extends RuntimeException {
    public StreamError(String message) {
      super(message, null, false, false);
    }
  }
}
