package dev.ollamabridge.fake;

import dev.ollamabridge.fake.FakeAnswers.Answer;
import dev.ollamabridge.fake.FakeAnswers.Token;
import io.javalin.http.Context;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.util.List;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends answers the way a model would: after the configured latency, token by token at the
 * configured rate, flushed one at a time. Counts every answer as active, then completed or
 * cancelled, and carries out {@code --die-after}. The wire format is the caller's business.
 */
final class AnswerDelivery {

  /** How one dialect frames a stream; every frame is written and flushed on its own. */
  interface StreamFormat {
    String contentType();

    /** Frames before the first token, such as OpenAI's role chunk. */
    List<byte[]> opening();

    /** The frame of one token; an empty one sends nothing, as when Ollama holds a tool call back until it is whole. */
    byte[] token(Token token);

    /** Frames after the last token: the done line, or the finish chunk, usage and [DONE]. */
    List<byte[]> closing(Timings timings);
  }

  /** Where the time went, in nanoseconds, as Ollama reports it. */
  record Timings(long loadNanos, long promptEvalNanos, long evalNanos, long totalNanos) {}

  private static final Logger log = LoggerFactory.getLogger(AnswerDelivery.class);

  private final LiveFaults faults;
  private final Traffic traffic;
  private final SuddenDeath death;

  AnswerDelivery(LiveFaults faults, Traffic traffic, SuddenDeath death) {
    this.faults = faults;
    this.traffic = traffic;
    this.death = death;
  }

  /** Streams a generation; a failed write means the client left, which ends it as cancelled. */
  void stream(Context ctx, long receivedAt, Answer answer, StreamFormat format) {
    boolean doomed = death.generationStarting();
    Faults settings = faults.current();
    traffic.started();
    long startedAt = System.nanoTime();
    boolean delivered = false;
    try {
      HttpServletResponse response = ctx.res();
      response.setStatus(200);
      response.setContentType(format.contentType());
      response.setHeader("Cache-Control", "no-cache");
      OutputStream out = response.getOutputStream();
      sleepMillis(settings.latencyMs());
      long firstTokenAt = System.nanoTime();
      for (byte[] frame : format.opening()) {
        send(out, frame);
      }
      List<Token> tokens = answer.tokens();
      for (int i = 0; i < tokens.size(); i++) {
        if (doomed && i == tokens.size() / 2) {
          death.strike();
        }
        sleepUntil(firstTokenAt + i * tokenInterval(settings));
        byte[] frame = format.token(tokens.get(i));
        if (frame.length > 0) {
          send(out, frame);
        }
      }
      if (doomed && tokens.isEmpty()) {
        death.strike();
      }
      long endedAt = System.nanoTime();
      for (byte[] frame : format.closing(timings(receivedAt, startedAt, firstTokenAt, endedAt))) {
        send(out, frame);
      }
      delivered = true;
    } catch (IOException e) {
      log.debug("client left mid-stream: {}", e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      finished(delivered);
    }
  }

  /** Answers a generation in one piece, after as long as streaming it would have taken. */
  void whole(Context ctx, long receivedAt, Answer answer, Function<Timings, Object> body) {
    boolean doomed = death.generationStarting();
    deliverWhole(ctx, receivedAt, answer.tokens().size(), doomed, body);
  }

  /** Answers an embedding request after the configured latency. */
  void embedding(Context ctx, long receivedAt, Function<Timings, Object> body) {
    deliverWhole(ctx, receivedAt, 0, false, body);
  }

  private void deliverWhole(
      Context ctx, long receivedAt, int tokens, boolean doomed, Function<Timings, Object> body) {
    Faults settings = faults.current();
    traffic.started();
    long startedAt = System.nanoTime();
    boolean delivered = false;
    try {
      sleepMillis(settings.latencyMs());
      long firstTokenAt = System.nanoTime();
      if (doomed) {
        death.strike();
      }
      sleepUntil(firstTokenAt + Math.max(0, tokens - 1) * tokenInterval(settings));
      // Javalin writes the body after the handler returns, so a client that left is not seen here.
      ctx.json(body.apply(timings(receivedAt, startedAt, firstTokenAt, System.nanoTime())));
      delivered = true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      finished(delivered);
    }
  }

  private void finished(boolean delivered) {
    if (delivered) {
      traffic.completed();
    } else {
      traffic.cancelled();
    }
  }

  private static void send(OutputStream out, byte[] frame) throws IOException {
    out.write(frame);
    out.flush();
  }

  private static long tokenInterval(Faults settings) {
    return settings.tokenRate() > 0 ? (long) (1_000_000_000L / settings.tokenRate()) : 0;
  }

  private static Timings timings(long receivedAt, long startedAt, long firstTokenAt, long endedAt) {
    // Clients divide by these durations to get tokens per second, so none may be zero.
    return new Timings(
        Math.max(1, startedAt - receivedAt),
        Math.max(1, firstTokenAt - startedAt),
        Math.max(1, endedAt - firstTokenAt),
        Math.max(1, endedAt - receivedAt));
  }

  private static void sleepMillis(long millis) throws InterruptedException {
    if (millis > 0) {
      Thread.sleep(millis);
    }
  }

  private static void sleepUntil(long deadlineNanos) throws InterruptedException {
    long wait = deadlineNanos - System.nanoTime();
    if (wait > 0) {
      Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
    }
  }
}
