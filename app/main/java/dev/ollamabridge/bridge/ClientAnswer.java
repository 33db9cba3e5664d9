package dev.ollamabridge.bridge;

import dev.ollamabridge.bridge.translate.Answer;
import dev.ollamabridge.bridge.translate.ClientEncoder;
import dev.ollamabridge.bridge.translate.Dialect;
import dev.ollamabridge.bridge.translate.Event;
import dev.ollamabridge.bridge.translate.ThinkFilter;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.OutputStream;

/**
 * One answer on its way to the client: events pass the think filter and are written in the
 * client's dialect, each streamed piece flushed at once, or gathered into one document when the
 * client did not ask for a stream. It also collects the unfiltered answer for the cache.
 */
final class ClientAnswer {

  /** The client went away while we were writing; the caller cancels the upstream call. */
  static final class ClientGone extends RuntimeException {
    ClientGone(IOException cause) {
      super("client disconnected", cause, false, false);
    }
  }

  private final Context ctx;
  private final Dialect dialect;
  private final ClientEncoder encoder;
  private final ThinkFilter filter;
  private final boolean stream;
  private final Runnable onFirstText;
  private final Answer.Builder raw = new Answer.Builder();
  private OutputStream out;
  private boolean textSent;

  ClientAnswer(Context ctx, Dialect dialect, ClientEncoder encoder, ThinkFilter filter, boolean stream, Runnable onFirstText) {
    this.ctx = ctx;
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

  /** Ends a non-streamed answer; a stream has already ended with its last event. */
  void finish() {
    if (!raw.isComplete()) {
      fail(new ApiException(502, "the upstream ended the answer before it was complete", null, "upstream_error"));
      return;
    }
    if (!stream) {
      // One answer with a Content-Length, sent whole when the handler returns: a proxy that
      // loses this bridge before it has the status line can still retry elsewhere.
      ctx.status(200).contentType("application/json").result(encoder.whole(filter.apply(raw.build())));
      onFirstText.run();
    }
  }

  /** Reports a failure: as its error status while nothing is sent, as an in-stream error after that. */
  void fail(ApiException failure) {
    if (out == null) {
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

  private void write(byte[] bytes) {
    if (bytes.length == 0) {
      return;
    }
    try {
      if (out == null) {
        if (stream) {
          ctx.status(200).contentType(encoder.streamContentType());
          ctx.header("Cache-Control", "no-cache");
          ctx.header("X-Accel-Buffering", "no"); // tells nginx not to buffer this stream
        }
        out = ctx.res().getOutputStream();
      }
      out.write(bytes);
      out.flush();
    } catch (IOException e) {
      throw new ClientGone(e);
    }
  }
}
