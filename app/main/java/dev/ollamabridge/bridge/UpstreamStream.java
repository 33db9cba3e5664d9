package dev.ollamabridge.bridge;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ollamabridge.bridge.translate.Answer;
import dev.ollamabridge.bridge.translate.Event;
import dev.ollamabridge.bridge.translate.Json;
import dev.ollamabridge.bridge.translate.UpstreamDecoder;
import java.io.IOException;
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

  static void read(ResponseBody body, UpstreamDecoder decoder, Consumer<Event> sink) throws IOException {
    MediaType type = body.contentType();
    String subtype = type == null ? "" : type.subtype();
    BufferedSource source = body.source();
    if (subtype.equals("json")) {
      Answer answer = decoder.whole(parse(source.readUtf8()));
      sink.accept(new Event.Delta(answer.content(), answer.reasoning()));
      if (!answer.toolCalls().isEmpty()) {
        sink.accept(new Event.ToolCalls(answer.toolCalls()));
      }
      sink.accept(new Event.End(answer.finishReason(), answer.usage()));
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
      decoder.chunk(parse(data)).forEach(sink);
    }
    decoder.endOfStream(doneMarker).forEach(sink);
  }

  private static JsonNode parse(String text) {
    try {
      return Json.MAPPER.readTree(text);
    } catch (IOException e) {
      throw new UpstreamDecoder.StreamError("the upstream sent a chunk that is not JSON: " + abbreviate(text));
    }
  }

  private static String abbreviate(String text) {
    return text.length() > 120 ? text.substring(0, 120) + "…" : text;
  }
}
