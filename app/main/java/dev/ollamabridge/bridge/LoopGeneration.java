package dev.ollamabridge.bridge;

import dev.ollamabridge.bridge.cache.AnswerCache;
import dev.ollamabridge.bridge.datapath.ClientCall;
import dev.ollamabridge.bridge.datapath.UpstreamCall;
import dev.ollamabridge.bridge.datapath.UpstreamListener;
import dev.ollamabridge.bridge.translate.Answer;
import dev.ollamabridge.bridge.translate.Event;
import dev.ollamabridge.bridge.translate.UpstreamDecoder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.ScheduledFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One chat or completion answered on its client's event loop, never blocking it: the cache is
 * looked in (its memory at once, its disk and Redis on a thread of their own), a slot is waited for
 * without a thread, the backend is called on a keep-alive connection of the loop and its answer
 * translated piece by piece as it arrives. Connection failures and 502/503/504 answers are retried
 * with backoff while nothing has been written to the client; {@code --timeout} bounds the whole
 * call; a client that cannot take more stops the backend's answer from being read; a client that
 * leaves ends the backend's work. The same rules as {@link GenerationHandler}, which answers on a
 * thread of its own.
 */
final class LoopGeneration {

  /** What every generation of one bridge shares. */
  record Shared(BridgeConfig config, Upstream upstream, AnswerCache cache, BridgeMetrics metrics, Admission admission,
      RemoteImages images, ExecutorService blocking) {}

  private static final Logger log = LoggerFactory.getLogger(LoopGeneration.class);
  /** The most of a backend's error answer read for its message. */
  private static final int MAX_ERROR_BODY = 64 * 1024;

  private final Shared shared;
  private final ClientCall call;
  private final EventLoop loop;
  private final RequestNotes notes;
  private final GenerationPlan plan;
  private final LoopSink sink;
  private final ClientAnswer answer;

  private Admission.Slot slot;
  private GenerationPlan.UpstreamCall request;
  private UpstreamCall upstream;
  private ScheduledFuture<?> timeout;
  private long deadline;
  private int retries;
  private boolean finished;

  LoopGeneration(Shared shared, ClientCall call, RequestNotes notes, GenerationPlan plan, LoopSink sink) {
    this.shared = shared;
    this.call = call;
    this.loop = call.loop();
    this.notes = notes;
    this.plan = plan;
    this.sink = sink;
    Route route = plan.route();
    this.answer = new ClientAnswer(notes, sink, plan.prompt().dialect(), plan.encoder(), plan.thinkFilter(),
        plan.prompt().stream(), () -> {
          notes.firstToken();
          shared.metrics().firstToken(route.path, notes.elapsedSeconds());
        });
  }

  void start() {
    call.onHangup(this::clientLeft);
    call.onEnd(this::ended);
    String key = plan.cacheKey();
    if (key == null) {
      afterCache();
      return;
    }
    Optional<Answer> inMemory = shared.cache().memoryGet(key);
    if (inMemory.isPresent()) {
      cached(inMemory);
      return;
    }
    shared.blocking().execute(() -> {
      Optional<Answer> found;
      try {
        found = shared.cache().get(key);
      } catch (RuntimeException e) {
        log.warn("the cache could not be read: {}", e.toString());
        found = Optional.empty();
      }
      Optional<Answer> hit = found;
      loop.execute(() -> cached(hit));
    });
  }

  private void cached(Optional<Answer> hit) {
    if (call.ended()) {
      return;
    }
    notes.cacheOutcome(hit.isPresent() ? "hit" : "miss");
    sink.header(GenerationHandler.CACHE_HEADER, Boolean.toString(hit.isPresent()));
    if (hit.isEmpty()) {
      afterCache();
      return;
    }
    Answer replayed = hit.get();
    guarded(() -> {
      answer.accept(new Event.Delta(replayed.content(), replayed.reasoning(), replayed.logprobs()));
      answer.accept(new Event.End(replayed.finishReason(), replayed.usage()));
      finished = true;
      answer.finish();
      endStream();
    });
  }

  private void afterCache() {
    if (plan.inlinesImages() && shared.images().fetches(plan.prompt())) {
      shared.blocking().execute(() -> {
        try {
          shared.images().inline(plan.prompt());
          loop.execute(this::admit);
        } catch (ApiException e) {
          loop.execute(() -> failed(e));
        } catch (RuntimeException e) {
          log.error("unexpected failure fetching a request's images", e);
          loop.execute(() -> failed(internalError()));
        }
      });
      return;
    }
    admit();
  }

  private void admit() {
    if (call.ended()) {
      return;
    }
    shared.admission().enterAsync(Hangups.of(call), loop).whenComplete((granted, error) -> {
      if (loop.inEventLoop()) {
        admitted(granted, error);
      } else {
        loop.execute(() -> admitted(granted, error));
      }
    });
  }

  private void admitted(Admission.Slot granted, Throwable error) {
    if (error != null) {
      Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
      if (cause instanceof ApiException refused) {
        failed(refused);
      } else if (!(cause instanceof Admission.LeftQueue)) {
        log.error("unexpected failure waiting for a slot", cause);
        failed(internalError());
      }
      return;
    }
    if (call.ended()) {
      granted.close();
      return;
    }
    slot = granted;
    request = plan.upstreamCall();
    deadline = System.nanoTime() + shared.config().timeout().toNanos();
    timeout = loop.schedule(this::timedOut, shared.config().timeout().toNanos(), TimeUnit.NANOSECONDS);
    send();
  }

  private void send() {
    if (call.ended() || finished) {
      return;
    }
    FullHttpRequest post = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, request.path(),
        Unpooled.wrappedBuffer(request.body()));
    post.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
    String authorization = shared.upstream().authorization(notes.upstreamAuthorization(call.header("Authorization")));
    if (authorization != null) {
      post.headers().set(HttpHeaderNames.AUTHORIZATION, authorization);
    }
    upstream = call.send(post, new Answered());
  }

  /** What the backend answers, piece by piece. */
  private final class Answered implements UpstreamListener {
    private StreamLines lines;
    private int errorStatus;
    private ByteArrayOutputStream errorBody;

    @Override
    public void head(HttpResponse head) {
      int code = head.status().code();
      if ((code == 502 || code == 503 || code == 504) && retries < shared.config().retries()) {
        upstream.cancel();
        shared.metrics().upstreamError("status_" + code);
        retryLater("HTTP " + code);
        return;
      }
      if (code >= 400) {
        errorStatus = code;
        errorBody = new ByteArrayOutputStream();
        return;
      }
      String type = head.headers().get(HttpHeaderNames.CONTENT_TYPE);
      UpstreamDecoder decoder = UpstreamDecoder.of(shared.config().upstreamDialect());
      UpstreamStream.Documents documents = plan.sameDialect() != null ? answer.documents(plan.sameDialect())
          : UpstreamStream.events(answer::accept);
      lines = new StreamLines(type, UpstreamStream.MAX_DOCUMENT_BYTES, decoder, documents);
    }

    @Override
    public void content(HttpContent content) {
      try {
        boolean last = content instanceof LastHttpContent;
        ByteBuf bytes = content.content();
        if (errorBody != null) {
          int room = MAX_ERROR_BODY - errorBody.size();
          if (room > 0) {
            bytes.readBytes(errorBody, Math.min(room, bytes.readableBytes()));
          }
          if (last) {
            LoopGeneration.this.failed(ErrorBodies.fromUpstream(errorStatus, errorBody.toString(StandardCharsets.UTF_8)));
          }
          return;
        }
        guarded(() -> {
          lines.feed(bytes.nioBuffer());
          if (last) {
            lines.finish();
            complete();
          } else if (!call.writable()) {
            UpstreamCall reading = upstream;
            reading.pause(); // until the client takes more
            call.whenWritable(reading::resume);
          }
        });
      } catch (java.io.IOException e) {
        throw new IllegalStateException(e); // a ByteArrayOutputStream does not fail
      } finally {
        content.release();
      }
    }

    @Override
    public void failed(Throwable cause, boolean beforeHead) {
      if (beforeHead) {
        shared.metrics().upstreamError("connect");
        if (retries < shared.config().retries()) {
          retryLater(cause.toString());
          return;
        }
        // where the backend lives and why it failed is for the operator's log, not for every client
        log.warn("the upstream {} is unreachable: {}", shared.config().upstream(), cause.toString());
        LoopGeneration.this.failed(new ApiException(502, "the upstream is unreachable", null, "upstream_unreachable"));
      } else {
        shared.metrics().upstreamError("stream");
        log.warn("the upstream connection broke during an answer: {}", cause.toString());
        LoopGeneration.this.failed(new ApiException(502, "the upstream connection broke off the answer", null, "upstream_error"));
      }
    }

    @Override
    public void readComplete() {
      call.flush();
    }
  }

  /** Runs a step of the answer, turning what it throws into the answer's failure. */
  private void guarded(Runnable step) {
    try {
      step.run();
    } catch (UpstreamDecoder.StreamError e) {
      shared.metrics().upstreamError("stream");
      cancelUpstream();
      failed(new ApiException(502, e.getMessage(), null, "upstream_error"));
    } catch (ClientAnswer.ClientGone gone) {
      cancelUpstream(); // the call hears of the client's leaving from its connection
    } catch (ApiException e) {
      cancelUpstream();
      failed(e);
    }
  }

  private void retryLater(String reason) {
    long sleep = Upstream.backoffMillis(retries);
    long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
    if (sleep >= left) {
      timedOut();
      return;
    }
    retries++;
    notes.retries(retries);
    shared.metrics().upstreamRetry();
    log.debug("retrying {} in {} ms after {}", request.path(), sleep, reason);
    loop.schedule(this::send, sleep, TimeUnit.MILLISECONDS);
  }

  private void timedOut() {
    if (finished || call.ended()) {
      return;
    }
    cancelUpstream();
    shared.metrics().upstreamError("timeout");
    failed(shared.upstream().timedOut());
  }

  /** The backend's answer was read to its end: counted, kept, and ended for the client. */
  private void complete() {
    finished = true;
    if (answer.isComplete()) {
      Answer whole = answer.answer();
      shared.metrics().tokens(whole.usage().promptTokens(), whole.usage().completionTokens());
      notes.tokens(whole.usage().promptTokens(), whole.usage().completionTokens());
      // kept before the answer ends (off the loop: the disk, Redis): a client that has it finds it in the cache
      if (plan.cacheKey() != null && GenerationPlan.cacheable(whole)) {
        String key = plan.cacheKey();
        shared.blocking().execute(() -> {
          try {
            shared.cache().put(key, whole);
          } catch (RuntimeException e) {
            log.warn("an answer could not be kept in the cache: {}", e.toString());
          }
          loop.execute(() -> guarded(this::endAnswer));
        });
        return;
      }
    }
    endAnswer();
  }

  private void endAnswer() {
    if (call.ended()) {
      return;
    }
    answer.finish();
    endStream();
  }

  /** A failure: its status while nothing is written, an in-stream error after that. */
  private void failed(ApiException failure) {
    finished = true;
    if (call.ended()) {
      return;
    }
    try {
      answer.fail(failure);
      endStream();
    } catch (ApiException unanswered) {
      byte[] body = ErrorBodies.of(plan.route().dialect, unanswered);
      notes.responseBytes(body);
      sink.error(unanswered, body);
    } catch (ClientAnswer.ClientGone gone) {
      // nothing to tell
    }
  }

  private void endStream() {
    if (call.begun() && !call.ended()) {
      call.end();
    }
  }

  private void cancelUpstream() {
    if (upstream != null) {
      upstream.cancel();
    }
  }

  private void clientLeft() {
    shared.metrics().clientDisconnected();
    log.debug("client went away during {}; upstream call cancelled", plan.route().path);
  }

  /** However the call ended: its timer, its slot and its retries. */
  private void ended() {
    finished = true;
    if (timeout != null) {
      timeout.cancel(false);
    }
    if (slot != null) {
      slot.close();
    }
    notes.retries(retries);
  }

  private static ApiException internalError() {
    return new ApiException(500, "internal error; the bridge's log tells what failed", null, "internal_error");
  }
}
