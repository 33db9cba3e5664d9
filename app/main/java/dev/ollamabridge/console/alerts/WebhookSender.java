package dev.ollamabridge.console.alerts;

import dev.ollamabridge.http.CallFailures;
import dev.ollamabridge.logs.LogText;
import java.io.IOException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Posts alerts to webhooks off the caller's thread, each delivery tried as its policy says and each
 * try written down. A 2xx answer delivers; a 5xx, a 429 or no answer is tried again after the
 * backoff; any other answer (a redirect, which is not followed, or a 4xx) fails the delivery at once,
 * since trying again would get the same.
 */
final class WebhookSender implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(WebhookSender.class);
  private static final MediaType JSON = MediaType.get("application/json; charset=utf-8");
  /** How much of a refusing answer's body the delivery log keeps. */
  private static final int ERROR_BODY = 200;
  private static final int MAX_ERROR = 500;

  private final AlertStore store;
  private final DeliveryPolicy policy;
  private final OkHttpClient http;
  private final ScheduledExecutorService posts = Executors.newScheduledThreadPool(2, runnable -> {
    Thread thread = new Thread(runnable, "alerts-post");
    thread.setDaemon(true);
    return thread;
  });

  WebhookSender(AlertStore store, DeliveryPolicy policy, OkHttpClient http) {
    this.store = store;
    this.policy = policy;
    this.http = http.newBuilder().followRedirects(false).followSslRedirects(false).retryOnConnectionFailure(false)
        .connectTimeout(policy.timeout()).readTimeout(policy.timeout()).callTimeout(policy.timeout()).build();
  }

  /** Tries delivery {@code id} of {@code body} to {@code url} now, and again as the policy says. */
  void send(long id, String url, String body) {
    posts.execute(() -> attempt(id, url, body, 1));
  }

  private void attempt(long id, String url, String body, int n) {
    Integer status = null;
    String error;
    boolean again;
    try (Response response = http.newCall(new Request.Builder().url(url).post(RequestBody.create(body, JSON))
        .header("User-Agent", "ollama-bridge-console").build()).execute()) {
      status = response.code();
      if (response.isSuccessful()) {
        store.attempted(id, "delivered", n, status, null);
        return;
      }
      again = status >= 500 || status == 429;
      error = status >= 300 && status < 400
          ? "answered " + status + " (a redirect to " + response.header("Location", "nowhere") + ", not followed)"
          : "answered " + status + bodyText(response);
    } catch (IOException e) {
      again = true;
      error = CallFailures.describe(e, okhttp3.HttpUrl.get(url).host());
    } catch (RuntimeException e) {
      again = false;
      error = e.toString();
    }
    error = LogText.oneLine(error, MAX_ERROR);
    boolean last = !again || n >= policy.attempts() || posts.isShutdown();
    store.attempted(id, last ? "failed" : "pending", n, status, error);
    if (last) {
      log.warn("alert delivery {} failed after {} attempt(s): {}", id, n, error);
      return;
    }
    try {
      posts.schedule(() -> attempt(id, url, body, n + 1), policy.waitAfter(n).toMillis(), TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.RejectedExecutionException stopping) {
      store.attempted(id, "failed", n, status, error);
    }
  }

  private static String bodyText(Response response) {
    try {
      String text = response.peekBody(ERROR_BODY).string().strip();
      return text.isEmpty() ? "" : ": " + text;
    } catch (IOException e) {
      return "";
    }
  }

  @Override
  public void close() {
    posts.shutdownNow();
  }
}
