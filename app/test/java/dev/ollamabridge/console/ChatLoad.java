package dev.ollamabridge.console;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.Dispatcher;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

/**
 * Chats through nginx at a steady pace, each request on its own, so that requests caught on a cut
 * link do not hold back the ones after them: traffic keeps flowing past them, and they finish once
 * the link is healed (the timeout is long enough). It counts what failed, not what was slow.
 */
final class ChatLoad implements AutoCloseable {

  private static final MediaType JSON = MediaType.get("application/json");
  private static final String CHAT = "{\"model\":\"fake-llama\",\"stream\":false,\"messages\":[{\"role\":\"user\","
      + "\"content\":\"hi\"}]}";

  private final OkHttpClient http;
  private final ScheduledExecutorService pace = Executors.newSingleThreadScheduledExecutor(task -> {
    Thread thread = new Thread(task, "chat-load");
    thread.setDaemon(true);
    return thread;
  });
  private final AtomicLong sent = new AtomicLong();
  final AtomicLong answered = new AtomicLong();
  final AtomicLong slowestMs = new AtomicLong();
  final List<String> failures = new CopyOnWriteArrayList<>();

  /** {@code perSecond} chats a second to nginx on {@code port}, from now until {@link #stop}. */
  ChatLoad(int port, int perSecond) {
    this("http://127.0.0.1:" + port, perSecond);
  }

  /** {@code perSecond} chats a second to the nginx at {@code baseUrl} ({@code http://HOST:PORT}), until {@link #stop}. */
  ChatLoad(String baseUrl, int perSecond) {
    Dispatcher dispatcher = new Dispatcher();
    dispatcher.setMaxRequests(512);
    dispatcher.setMaxRequestsPerHost(512);
    http = new OkHttpClient.Builder().dispatcher(dispatcher).readTimeout(Duration.ofSeconds(120))
        .callTimeout(Duration.ofSeconds(150)).build();
    Request request = new Request.Builder().url(baseUrl + "/api/chat")
        .post(RequestBody.create(CHAT, JSON)).build();
    pace.scheduleAtFixedRate(() -> send(request), 0, 1_000_000L / perSecond, TimeUnit.MICROSECONDS);
  }

  private void send(Request request) {
    long started = System.nanoTime();
    sent.incrementAndGet();
    http.newCall(request).enqueue(new Callback() {
      @Override
      public void onResponse(Call call, Response response) {
        try (response) {
          response.body().string();
          if (response.code() != 200) {
            failures.add(response.code() + " at " + Instant.now());
          }
        } catch (IOException e) {
          failures.add(e + " at " + Instant.now());
        }
        done(started);
      }

      @Override
      public void onFailure(Call call, IOException e) {
        failures.add(e + " at " + Instant.now());
        done(started);
      }
    });
  }

  private void done(long started) {
    answered.incrementAndGet();
    slowestMs.accumulateAndGet(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started), Math::max);
  }

  /** Waits until {@code requests} more have been answered (or failed). */
  void awaitMore(int requests) {
    long target = answered.get() + requests;
    await().atMost(Duration.ofSeconds(180)).until(() -> answered.get() >= target);
  }

  /** Stops sending, and waits until every request sent has been answered or has failed. */
  void stop() {
    pace.shutdownNow();
    await().atMost(Duration.ofSeconds(180)).until(() -> answered.get() >= sent.get());
  }

  @Override
  public void close() {
    stop();
    http.dispatcher().executorService().shutdown();
  }
}
