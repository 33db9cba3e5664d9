package dev.ollamabridge.bridge;

import dev.ollamabridge.bridge.translate.Dialect;
import dev.ollamabridge.cli.HostPort;
import dev.ollamabridge.http.CallFailures;
import java.io.IOException;
import java.time.Duration;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;

/**
 * Tells {@code /health} whether the upstream answers. Probes are cheap calls ({@code /api/version}
 * or {@code /v1/models}) with a short timeout, and a result is reused for 250 ms, so frequent
 * health checks do not become load on the backend.
 */
final class UpstreamProbe {

  private static final long REUSE_NANOS = Duration.ofMillis(250).toNanos();

  /**
   * One probe's outcome; {@code status} is the HTTP status, 0 when nothing answered; {@code error} why
   * nothing answered, for people.
   */
  record Result(boolean reachable, int status, long latencyMillis, String error, long atNanos) {}

  private final OkHttpClient http;
  private final Request request;
  private final String address;
  private volatile Result last;

  UpstreamProbe(OkHttpClient shared, BridgeConfig config) {
    this.http = shared.newBuilder().callTimeout(Duration.ofSeconds(2)).build();
    Request.Builder builder = new Request.Builder()
        .url(config.apiRoot() + (config.upstreamDialect() == Dialect.OLLAMA ? "/api/version" : "/models"));
    if (config.apiKey() != null) {
      builder.header("Authorization", "Bearer " + config.apiKey());
    }
    this.request = builder.build();
    this.address = new HostPort(request.url().host(), request.url().port()).toString();
  }

  /** Why {@code /health} is not 200, in one sentence naming the upstream as host:port; null when it is. */
  String reason(Result result) {
    if (!result.reachable()) {
      return "upstream " + result.error();
    }
    return result.status() >= 500
        ? "upstream " + address + " answered " + result.status() + " to GET " + request.url().encodedPath()
        : null;
  }

  Result check() {
    Result previous = last;
    long now = System.nanoTime();
    if (previous != null && now - previous.atNanos() < REUSE_NANOS) {
      return previous;
    }
    Result result;
    try (Response response = http.newCall(request).execute()) {
      result = new Result(true, response.code(), (System.nanoTime() - now) / 1_000_000, null, now);
    } catch (IOException e) {
      result = new Result(false, 0, (System.nanoTime() - now) / 1_000_000, CallFailures.describe(e, address), now);
    }
    last = result;
    return result;
  }
}
