package dev.ollamabridge.console.supervise;

import dev.ollamabridge.http.ConsoleTraffic;
import java.io.IOException;
import java.net.Proxy;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.ConnectionPool;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;

/**
 * Asks whether a program answers its health URL. Any HTTP response counts: the question is whether the
 * program is up and serving, not whether it is healthy, which the health checker judges.
 */
final class ReadinessProbe implements AutoCloseable {

  private static final Duration TIMEOUT = Duration.ofSeconds(1);

  private final OkHttpClient http;

  /** @param shared the process's client; the probe derives its own settings from it */
  ReadinessProbe(OkHttpClient shared) {
    http = shared.newBuilder()
      .proxy(Proxy.NO_PROXY)
      .connectTimeout(TIMEOUT)
      .readTimeout(TIMEOUT)
      .callTimeout(TIMEOUT)
      .retryOnConnectionFailure(false)
      .followRedirects(false)
      // probes are rare; an idle connection kept open would only hold a thread of the program
      .connectionPool(new ConnectionPool(0, 1, TimeUnit.SECONDS))
      .build();
  }

  /** Completes with whether an HTTP response came, within about a second; never exceptionally. */
  CompletableFuture<Boolean> answers(String url) {
    CompletableFuture<Boolean> answered = new CompletableFuture<>();
    http.newCall(new Request.Builder().url(url).header(ConsoleTraffic.HEADER, ConsoleTraffic.VALUE).build()).enqueue(new Callback() {
      @Override
      public void onFailure(Call call, IOException e) {
        answered.complete(false);
      }

      @Override
      public void onResponse(Call call, Response response) {
        response.close();
        answered.complete(true);
      }
    });
    return answered;
  }

  /** Closes the probe's own connections; the dispatcher belongs to the shared client. */
  @Override
  public void close() {
    http.connectionPool().evictAll();
  }
}
