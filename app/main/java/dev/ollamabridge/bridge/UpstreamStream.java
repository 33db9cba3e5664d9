package dev.ollamabridge.bridge;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ollamabridge.bridge.translate.Answer;
import dev.ollamabridge.bridge.translate.Event;
import dev.ollamabridge.bridge.translate.Json;
import dev.ollamabridge.bridge.translate.UpstreamDecoder;
import java.io.IOException;
import java.util.List;
import java.util.function.Consumer;
import okhttp3.MediaType;
import okhttp3.ResponseBody;
import okio.BufferedSource;

/**
 * Reads an upstream answer as it arrives and hands each decoded event on at once: SSE
 * ({@code data:} lines up to {@code [DONE]}), NDJSON lines, or a single JSON document (declared
 * {@code application/json}) when the upstream did not stream.
 */
final class UpstreamStream {

  private UpstreamStream() {}

  /** Where each document of an answer goes, with the events decoded from it. */
  interface Documents {
    /** One streamed chunk (an SSE {@code data:} object or an NDJSON line). */
    void chunk(ObjectNode document, List<Event> events);

    /** A whole, non-streamed answer. */
    void whole(ObjectNode document, Answer answer);

    /** The stream ended (with the events its end makes, e.g. pending tool calls). */
    void end(List<Event> events);
  }

  /** Hands on the decoded events only: for a client of the other dialect, which gets them re-encoded. */
  static void read(ResponseBody body, UpstreamDecoder decoder, Consumer<Event> sink) throws IOException {
    read(body, decoder, new Documents() {
      @Override
      public void chunk(ObjectNode document, List<Event> events) {
        events.forEach(sink);
      }

      @Override
      public void whole(ObjectNode document, Answer answer) {
        sink.accept(new Event.Delta(answer.content(), answer.reasoning(), answer.logprobs()));
        if (!answer.toolCalls().isEmpty()) {
          sink.accept(new Event.ToolCalls(answer.toolCalls()));
        }
        sink.accept(new Event.End(answer.finishReason(), answer.usage()));
      }

      @Override
      public void end(List<Event> events) {
        events.forEach(sink);
      }
    });
  }

  /** Hands on each document with its events: for a client of the same dialect, which gets the documents themselves. */
  static void read(ResponseBody body, UpstreamDecoder decoder, Documents sink) throws IOException {
    MediaType type = body.contentType();
    String subtype = type == null ? "" : type.subtype();
    BufferedSource source = body.source();
    if (subtype.equals("json")) {
      ObjectNode document = parse(source.readUtf8());
      sink.whole(document, decoder.whole(document));
      return;
    }
    // SSE and NDJSON are told apart by each line, not by the declared type, which some servers get wrong.
    boolean doneMarker = false;
    String line;
    while ((line = source.readUtf8Line()) != null) {
      String data = line.strip();
      if (data.isEmpty() || data.startsWith(":") || data.startsWith("event:") || data.startsWith("id:")) {
        continue; // SSE separators, comments and fields other than data
      }
      if (data.startsWith("data:")) {
        data = data.substring(5).strip();
      }
      if (data.equals("[DONE]")) {
        doneMarker = true;
        break;
      }
      ObjectNode document = parse(data);
      sink.chunk(document, decoder.chunk(document));
    }
    sink.end(decoder.endOfStream(doneMarker));
  }

  private static ObjectNode parse(String text) {
    try {
      JsonNode node = Json.MAPPER.readTree(text);
      if (node instanceof ObjectNode object) {
        return object;
      }
      throw new UpstreamDecoder.StreamError("the upstream sent a chunk that is not a JSON object: " + abbreviate(text));
    } catch (IOException e) {
      throw new UpstreamDecoder.StreamError("the upstream sent a chunk that is not JSON: " + abbreviate(text));
    }
  }

  private static String abbreviate(String text) {
    return text.length() > 120 ? text.substring(0, 120) + "…" : text;
  }
}
