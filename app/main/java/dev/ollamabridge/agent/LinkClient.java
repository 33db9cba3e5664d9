package dev.ollamabridge.agent;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ollamabridge.cli.Version;
import dev.ollamabridge.link.Desired;
import dev.ollamabridge.link.LinkMessage;
import dev.ollamabridge.link.LinkPaths;
import dev.ollamabridge.link.Reply;
import dev.ollamabridge.link.Report;
import dev.ollamabridge.link.Request;
import dev.ollamabridge.logs.LogText;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.Supplier;
import okhttp3.OkHttpClient;
import okhttp3.Response;
import okhttp3.WebSocket;
import okhttp3.WebSocketListener;
import okio.ByteString;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's end of the link: it dials the console's WebSocket and keeps dialling, applies the
 * {@link Desired} states it is sent (one at a time, the newest when several wait) and reports right after, answers each
 * {@link Request}, and reports every {@value LinkPaths#REPORT_SECONDS} s. A frame that is too large or
 * does not parse is dropped with one warning. When the link breaks it dials again after a capped,
 * jittered backoff ({@link Backoff}), from the start again after a link that lasted; when the console
 * refuses this agent (a 4xx on the upgrade, or the close code {@value LinkPaths#REFUSED}) it logs the
 * console's reason in one line and tries again after the cap. The bridges run on meanwhile: nothing
 * here stops them.
 *
 * <p>TLS is the client's: production passes one that speaks mutual TLS with the console's CA alone.
 */
public final class LinkClient implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(LinkClient.class);
  private static final int MAX_REASON_CHARS = 300;
  private static final int MAX_REQUEST_ID_CHARS = 200;

  private final OkHttpClient http;
  private final String url;
  private final Reconciler reconciler;
  private final Function<Request, Reply> answers;
  private final Supplier<Report> reports;
  private final AtomicBoolean reportPending = new AtomicBoolean();
  private final Backoff backoff;
  private final Duration reportEvery;
  private final ObjectMapper json = LinkJson.mapper();
  private final ExecutorService applying = Executors.newSingleThreadExecutor(daemon("link-apply"));
  private final ExecutorService answering = Executors.newSingleThreadExecutor(daemon("link-answer"));
  private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor(daemon("link-timer"));
  private final AtomicReference<Desired> waiting = new AtomicReference<>();
  private final Object lock = new Object();
  private Connection current; // guarded by lock
  private int failures; // guarded by lock
  private String lastProblem; // guarded by lock
  private boolean closed; // guarded by lock

  /**
   * @param url the link, {@code wss://HOST:PORT/agent/v1/link} ({@code ws://} in tests)
   * @param answers answers the console's requests
   * @param reports this host's report as of now
   */
  LinkClient(OkHttpClient http, String url, Reconciler reconciler, Function<Request, Reply> answers,
      Supplier<Report> reports, Backoff backoff, Duration reportEvery) {
    // no permessage-deflate: a small compressed frame could inflate past any bound before it is seen
    this.http = http.newBuilder().addInterceptor(chain -> chain.proceed(chain.request().newBuilder()
        .removeHeader("Sec-WebSocket-Extensions").build())).build();
    this.url = url;
    this.reconciler = reconciler;
    this.answers = answers;
    this.reports = reports;
    this.backoff = backoff;
    this.reportEvery = reportEvery;
  }

  /** Dials now and reports while linked; returns at once. */
  void start() {
    timers.scheduleAtFixedRate(this::reportIfLinked, reportEvery.toMillis(), reportEvery.toMillis(), TimeUnit.MILLISECONDS);
    dial();
  }

  /** Whether the link is up now. */
  boolean linked() {
    synchronized (lock) {
      return current != null && current.open;
    }
  }

  /** Hangs up and stops dialling; a document being applied is finished first (for a while). */
  @Override
  public void close() {
    Connection last;
    synchronized (lock) {
      closed = true;
      last = current;
      current = null;
    }
    if (last != null) {
      last.socket.close(1000, "agent stopping");
    }
    timers.shutdownNow();
    answering.shutdownNow();
    applying.shutdown();
    try {
      if (!applying.awaitTermination(30, TimeUnit.SECONDS)) {
        applying.shutdownNow();
      }
    } catch (InterruptedException e) {
      applying.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }

  private void dial() {
    synchronized (lock) {
      if (closed) {
        return;
      }
      Connection connection = new Connection();
      current = connection;
      connection.socket = http.newWebSocket(new okhttp3.Request.Builder()
          .url(url)
          .header(LinkPaths.VERSION_HEADER, Version.current())
          .build(), connection);
    }
  }

  /**
   * Reports within a tenth of a second, once for a burst of calls: a bridge's state changed, and the
   * console should not wait for the next report to know it runs (or stopped).
   */
  void reportSoon() {
    if (reportPending.compareAndSet(false, true)) {
      try {
        timers.schedule(() -> {
          reportPending.set(false);
          reportIfLinked();
        }, 100, TimeUnit.MILLISECONDS);
      } catch (RejectedExecutionException e) {
        reportPending.set(false); // closed
      }
    }
  }

  private void reportIfLinked() {
    Connection connection;
    synchronized (lock) {
      connection = current;
    }
    if (connection != null && connection.open) {
      send(connection.socket, reports.get());
    }
  }

  private void send(WebSocket socket, LinkMessage message) {
    try {
      socket.send(json.writeValueAsString(message));
    } catch (JsonProcessingException | RuntimeException e) {
      log.warn("cannot send a {} to the console: {}", message.getClass().getSimpleName(), e.toString());
    }
  }

  private void received(WebSocket socket, String text) {
    if (text.length() > LinkPaths.MAX_FRAME_BYTES
        || text.getBytes(StandardCharsets.UTF_8).length > LinkPaths.MAX_FRAME_BYTES) {
      log.warn("dropped a frame from the console of more than {} bytes", LinkPaths.MAX_FRAME_BYTES);
      return;
    }
    LinkMessage message;
    try {
      message = json.readValue(text, LinkMessage.class);
    } catch (IOException | RuntimeException e) {
      log.warn("dropped a frame from the console that does not parse: {}",
          LogText.oneLine(e.getClass().getSimpleName() + ": " + e.getMessage(), MAX_REASON_CHARS));
      return;
    }
    if (message instanceof Desired desired) {
      // only the newest document matters: one that arrives while another waits replaces it
      if (waiting.getAndSet(desired) == null) {
        applying.execute(() -> {
          reconciler.apply(waiting.getAndSet(null));
          reportIfLinked();
        });
      }
    } else if (message instanceof Request request) {
      if (request.id() == null || request.id().length() > MAX_REQUEST_ID_CHARS) {
        log.warn("dropped a request from the console without an id of at most {} characters", MAX_REQUEST_ID_CHARS);
        return;
      }
      answering.execute(() -> send(socket, answers.apply(request)));
    } else {
      log.warn("dropped a {} frame from the console, which only agents send", message.getClass().getSimpleName());
    }
  }

  /** The link {@code connection} ended; dial again unless it was replaced or the client closed. */
  private void ended(Connection connection, String refusal, String problem) {
    Duration delay;
    synchronized (lock) {
      if (closed || current != connection) {
        return;
      }
      current = null;
      if (connection.openedAt != null
          && Duration.between(connection.openedAt, Instant.now()).compareTo(backoff.cap()) >= 0) {
        failures = 0; // it worked for a while: this is a new trouble, not more of the old one
      }
      delay = refusal != null ? backoff.cap() : backoff.delay(failures++);
      if (refusal != null) {
        log.warn("the console refused this agent: {}; trying again in {}", refusal, readable(delay));
        lastProblem = refusal;
      } else if (!problem.equals(lastProblem)) {
        log.warn("link to the console {}: {}; dialling again with backoff", connection.openedAt == null
            ? "cannot be opened" : "lost", problem);
        lastProblem = problem;
      } else {
        log.debug("link to the console still down: {}; again in {}", problem, readable(delay));
      }
    }
    timers.schedule(this::dial, delay.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** The console's {@code {"error": "..."}} of a refused upgrade, as one bounded line; the status when there is none. */
  private String refusal(Response response) {
    String reason = null;
    try {
      JsonNode error = json.readTree(response.peekBody(16 * 1024).string()).path("error");
      reason = error.isTextual() && !error.asText().isBlank() ? error.asText().strip() : null;
    } catch (IOException | RuntimeException notJson) {
      // the status says what there is to say
    }
    return (reason == null ? "" : LogText.oneLine(reason, MAX_REASON_CHARS) + " ") + "(HTTP " + response.code() + ")";
  }

  private static String readable(Duration delay) {
    return delay.toMillis() % 1000 == 0 ? delay.toSeconds() + " s" : delay.toMillis() + " ms";
  }

  private static ThreadFactory daemon(String name) {
    return task -> {
      Thread thread = new Thread(task, name);
      thread.setDaemon(true);
      return thread;
    };
  }

  /** One attempt at the link, from dialling to its end. */
  private final class Connection extends WebSocketListener {

    WebSocket socket;
    volatile boolean open;
    volatile Instant openedAt;
    private volatile String refusedWith;

    @Override
    public void onOpen(WebSocket webSocket, Response response) {
      open = true;
      openedAt = Instant.now();
      String previous;
      synchronized (lock) {
        previous = lastProblem;
        lastProblem = null;
      }
      log.info("linked to the console at {}{}", url, previous == null ? "" : " (was: " + previous + ")");
      send(webSocket, reports.get());
    }

    @Override
    public void onMessage(WebSocket webSocket, String text) {
      received(webSocket, text);
    }

    @Override
    public void onMessage(WebSocket webSocket, ByteString bytes) {
      log.warn("dropped a binary frame of {} bytes from the console: the link speaks JSON text", bytes.size());
    }

    @Override
    public void onClosing(WebSocket webSocket, int code, String reason) {
      open = false;
      if (code == LinkPaths.REFUSED) {
        refusedWith = LogText.oneLine(Objects.requireNonNullElse(reason, ""), MAX_REASON_CHARS);
      }
      webSocket.close(1000, null);
    }

    @Override
    public void onClosed(WebSocket webSocket, int code, String reason) {
      open = false;
      ended(this, refusedWith, "closed by the console (" + code + ")");
    }

    @Override
    public void onFailure(WebSocket webSocket, Throwable failure, Response response) {
      open = false;
      if (response != null && response.code() >= 400 && response.code() < 500) {
        ended(this, refusal(response), null);
      } else {
        String problem = response != null ? "HTTP " + response.code() + " instead of a WebSocket"
            : LogText.oneLine(failure.getClass().getSimpleName() + ": " + failure.getMessage(), MAX_REASON_CHARS);
        ended(this, refusedWith, problem);
      }
    }
  }
}
