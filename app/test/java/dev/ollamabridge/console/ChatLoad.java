package dev.ollamabridge.console;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

/**
 * Clients chatting through nginx one request after another, with a timeout long enough for a
 * request caught on a cut link to finish once it is healed: it counts what failed, not what was slow.
 */
final class ChatLoad implements AutoCloseable {
  private final OkHttpClient http = new OkHttpClient.Builder().readTimeout(Duration.ofSeconds(120))
      .callTimeout(Duration.ofSeconds(150)).build();
  private final List<Thread> threads = new ArrayList<>();
  private final AtomicBoolean running = new AtomicBoolean(true);
  final AtomicLong answered = new AtomicLong();
  final AtomicLong slowestMs = new AtomicLong();
  final List<String> failures = new CopyOnWriteArrayList<>();

  ChatLoad(int port, int clients) {
    for (int i = 0; i < clients; i++) {
      Thread thread = new Thread(() -> {
        while (running.get()) {
          long started = System.nanoTime();
          Request request = new Request.Builder().url("http://127.0.0.1:" + port + "/api/chat")
              .post(RequestBody.create("{\"model\":\"fake-llama\",\"stream\":false,\"messages\":[{\"role\":\"user\","
                  + "\"content\":\"hi\"}]}", MediaType.get("application/json"))).build();
          try (Response response = http.newCall(request).execute()) {
            response.body().string();
            if (response.code() != 200) {
              failures.add(response.code() + " at " + Instant.now());
            }
          } catch (IOException e) {
            failures.add(e + " at " + Instant.now());
          }
          answered.incrementAndGet();
          slowestMs.accumulateAndGet(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started), Math::max);
        }
      }, "load-" + i);
      thread.setDaemon(true);
      thread.start();
      threads.add(thread);
    }
  }

  void awaitMore(int requests) {
    long target = answered.get() + requests;
    await().atMost(Duration.ofSeconds(180)).until(() -> answered.get() >= target);
  }

  void stop() throws InterruptedException {
    running.set(false);
    for (Thread thread : threads) {
      thread.join(Duration.ofSeconds(160).toMillis());
    }
  }

  @Override
  public void close() throws InterruptedException {
    stop();
  }
}
