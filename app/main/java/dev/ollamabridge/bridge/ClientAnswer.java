package dev.ollamabridge.bridge;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ollamabridge.bridge.translate.Answer;
import dev.ollamabridge.bridge.translate.ClientEncoder;
import dev.ollamabridge.bridge.translate.Dialect;
import dev.ollamabridge.bridge.translate.Event;
import dev.ollamabridge.bridge.translate.Json;
import dev.ollamabridge.bridge.translate.SameDialect;
import dev.ollamabridge.bridge.translate.ThinkFilter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * One answer on its way to the client: events pass the think filter and are written in the
 * client's dialect, each streamed piece flushed at once, or gathered into one document when the
 * client did not ask for a stream. It also collects the unfiltered answer for the cache.
 *
 * <p>It writes to an {@link AnswerSink} and notes in {@link RequestNotes} only, and blocks on
 * nothing of its own: the sink decides whether a write waits for the client.
 */
final class ClientAnswer {

  /** The client went away while we were writing; the caller cancels the upstream call. */
  static final class ClientGone extends RuntimeException {
    ClientGone(IOException cause) {
      super("client disconnected", cause, false, false);
    }
  }

  private static final byte[] DATA = "data: ".getBytes(StandardCharsets.UTF_8);
  private static final byte[] DONE = "data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8);

  private final RequestNotes notes;
  private final AnswerSink sink;
  private final Dialect dialect;
  private final ClientEncoder encoder;
  private final ThinkFilter filter;
  private final boolean stream;
  private final Runnable onFirstText;
  private final Answer.Builder raw = new Answer.Builder();
  private boolean textSent;
  /** A whole answer of the client's own dialect, as the backend sent it (rewritten by the think filter only). */
  private ObjectNode wholeDocument;

  ClientAnswer(RequestNotes notes, AnswerSink sink, Dialect dialect, ClientEncoder encoder, ThinkFilter filter,
      boolean stream, Runnable onFirstText) {
    this.notes = notes;
    this.sink = sink;
    this.dialect = dialect;
    this.encoder = encoder;
    this.filter = filter;
    this.stream = stream;
    this.onFirstText = onFirstText;
  }

  void accept(Event event) {
    raw.add(event);
    if (!stream) {
      return;
    }
    if (event instanceof Event.Delta delta) {
      send(filter.apply(delta));
    } else if (event instanceof Event.ToolCalls calls) {
      send(filter.finish()); // text before the calls goes first
      write(encoder.toolCalls(calls.calls()));
    } else {
      send(filter.finish());
      write(encoder.end((Event.End) event));
    }
  }

  /**
   * The backend's own documents, for a client of the same dialect: each streamed chunk is written
   * as it came but for the think filter's rewrite, a whole answer is kept for {@link #finish()}.
   */
  UpstreamStream.Documents documents(SameDialect rewrite) {
    return new UpstreamStream.Documents() {
      @Override
      public void chunk(ObjectNode document, List<Event> events) {
        events.forEach(raw::add);
        if (!stream) {
          return;
        }
        ObjectNode shown = rewrite.chunk(document);
        if (shown != null) {
          byte[] json = Json.bytes(shown);
          write(dialect == Dialect.OPENAI ? sse(json) : ndjson(json));
          if (!textSent && !events.isEmpty()) {
            textSent = true;
            onFirstText.run();
          }
        }
      }

      @Override
      public void whole(ObjectNode document, Answer answer) {
        raw.add(new Event.Delta(answer.content(), answer.reasoning(), answer.logprobs()));
        if (!answer.toolCalls().isEmpty()) {
          raw.add(new Event.ToolCalls(answer.toolCalls()));
        }
        raw.add(new Event.End(answer.finishReason(), answer.usage()));
        wholeDocument = rewrite.whole(document);
      }

      @Override
      public void end(List<Event> events) {
        events.forEach(raw::add);
        if (stream && dialect == Dialect.OPENAI && raw.isComplete()) {
          write(DONE);
        }
      }
    };
  }

  private static byte[] sse(byte[] json) {
    byte[] framed = new byte[json.length + 8];
    System.arraycopy(DATA, 0, framed, 0, DATA.length);
    System.arraycopy(json, 0, framed, DATA.length, json.length);
    framed[framed.length - 2] = '\n';
    framed[framed.length - 1] = '\n';
    return framed;
  }

  private static byte[] ndjson(byte[] json) {
    byte[] framed = Arrays.copyOf(json, json.length + 1);
    framed[json.length] = '\n';
    return framed;
  }

  /** Ends a non-streamed answer; a stream has already ended with its last event. */
  void finish() {
    if (!raw.isComplete()) {
      fail(new ApiException(502, "the upstream ended the answer before it was complete", null, "upstream_error"));
      return;
    }
    if (!stream) {
      // One answer with a Content-Length, written at once when it is complete: a proxy that
      // loses this bridge before it has the status line can still retry elsewhere.
      byte[] body = wholeDocument != null ? Json.bytes(wholeDocument) : encoder.whole(filter.apply(raw.build()));
      notes.responseBytes(body); // noted first: writing it may end the request, and log it
      sink.whole(200, "application/json", body);
      onFirstText.run();
    }
  }

  /** Reports a failure: as its error status while nothing is sent, as an in-stream error after that. */
  void fail(ApiException failure) {
    notes.error(failure.getMessage());
    if (!sink.begun()) {
      throw failure;
    }
    write(encoder.error(ErrorBodies.inStream(dialect, failure)));
  }

  boolean isComplete() {
    return raw.isComplete();
  }

  Answer answer() {
    return raw.build();
  }

  private void send(Event.Delta delta) {
    if (delta.isEmpty()) {
      return;
    }
    write(encoder.delta(delta));
    if (!textSent) {
      textSent = true;
      onFirstText.run();
    }
  }

  /** One piece of a stream, which the first begins. */
  private void write(byte[] bytes) {
    if (bytes.length == 0) {
      return;
    }
    if (!sink.begun()) {
      sink.begin(encoder.streamContentType());
    }
    sink.write(bytes);
    notes.responseBytes(bytes);
  }
}
