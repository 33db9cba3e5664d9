package dev.ollamabridge.bridge;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ollamabridge.bridge.translate.Answer;
import dev.ollamabridge.bridge.translate.Event;
import dev.ollamabridge.bridge.translate.UpstreamDecoder;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.function.Consumer;
import okhttp3.MediaType;
import okhttp3.ResponseBody;

/**
 * Reads an upstream answer from OkHttp as it arrives and hands each decoded event on at once: SSE
 * ({@code data:} lines up to {@code [DONE]}), NDJSON lines, or a single JSON document (declared
 * {@code application/json}) when the upstream did not stream; {@link StreamLines} splits it.
 */
final class UpstreamStream {

  /** The longest line, or whole JSON answer, taken from an upstream: the most the bridge buffers of one document. */
  static final int MAX_DOCUMENT_BYTES = 16 << 20;
  private static final int CHUNK_BYTES = 8 * 1024;

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
    read(body, decoder, events(sink));
  }

  /** Documents as their decoded events only, for a client of the other dialect. */
  static Documents events(Consumer<Event> sink) {
    return new Documents() {
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
    };
  }

  /** Hands on each document with its events: for a client of the same dialect, which gets the documents themselves. */
  static void read(ResponseBody body, UpstreamDecoder decoder, Documents sink) throws IOException {
    MediaType type = body.contentType();
    StreamLines lines = new StreamLines(type == null ? null : type.toString(), MAX_DOCUMENT_BYTES, decoder, sink);
    InputStream in = body.byteStream();
    byte[] chunk = new byte[CHUNK_BYTES];
    int read;
    // read() answers with what has arrived, so that each document is handed on as soon as it is complete
    while (!lines.ended() && (read = in.read(chunk)) != -1) {
      lines.feed(chunk, 0, read);
    }
    lines.finish();
  }
}
