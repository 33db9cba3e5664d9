package dev.ollamabridge.bridge;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import okhttp3.Call;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Calls the backend: sets the upstream key, bounds the whole call by {@code --timeout}, and retries
 * connection errors and 502/503/504 with capped, jittered exponential backoff. A retry only ever
 * happens here, before the caller has sent a byte to its client.
 */
public final class Upstream {

  private static final Logger log = LoggerFactory.getLogger(Upstream.class);
  private static final MediaType JSON = MediaType.get("application/json");
  private static final long BASE_BACKOFF_MILLIS = 100;
  private static final long MAX_BACKOFF_MILLIS = 2000;

  /** The paths of every generation, whose URLs are parsed once rather than on each call. */
  private static final List<String> GENERATION_PATHS = List.of("/api/chat", "/api/generate", "/chat/completions",
      "/completions");

  private final OkHttpClient http;
  private final BridgeConfig config;
  private final BridgeMetrics metrics;
  private final Map<String, HttpUrl> generationUrls = new HashMap<>();

  public Upstream(OkHttpClient http, BridgeConfig config, BridgeMetrics metrics) {
    this.http = http;
    this.config = config;
    this.metrics = metrics;
    for (String path : GENERATION_PATHS) {
      generationUrls.put(path, HttpUrl.get(config.apiRoot() + path));
    }
  }

  /** An open upstream answer; closing it releases (or, early, cancels) the connection. */
  public record Exchange(Call call, Response response) implements AutoCloseable {
    @Override
    public void close() {
      response.close();
    }
  }

  public Exchange get(String path, String clientAuthorization) {
    return send(new Request.Builder().get(), path, clientAuthorization, new Cancellation());
  }

  public Exchange post(String path, byte[] body, String clientAuthorization) {
    return post(path, body, clientAuthorization, new Cancellation());
  }

  /** As {@link #post(String, byte[], String)}, ended early by {@code cancellation}. */
  Exchange post(String path, byte[] body, String clientAuthorization, Cancellation cancellation) {
    return send(new Request.Builder().post(RequestBody.create(body, JSON)), path, clientAuthorization, cancellation);
  }

  /**
   * One call with any method, never retried: its body may be a stream that cannot be sent twice
   * (a model blob of gigabytes). Null body for GET, HEAD and a DELETE without one.
   */
  Exchange once(String method, String path, RequestBody body, String clientAuthorization) {
    return send(new Request.Builder().method(method, body), path, clientAuthorization, new Cancellation(), 0);
  }

  /** The error of a call that ran out of {@code --timeout}. */
  ApiException timedOut() {
    return new ApiException(504, "the upstream did not answer within " + config.timeout().toMillis() + " ms", null, "upstream_timeout");
  }

  private Exchange send(Request.Builder builder, String path, String clientAuthorization, Cancellation cancellation) {
    return send(builder, path, clientAuthorization, cancellation, config.retries());
  }

  private Exchange send(Request.Builder builder, String path, String clientAuthorization, Cancellation cancellation,
      int retries) {
    HttpUrl url = generationUrls.get(path);
    builder.url(url != null ? url : HttpUrl.get(config.apiRoot() + path));
    String authorization = authorization(clientAuthorization);
    if (authorization != null) {
      builder.header("Authorization", authorization);
    }
    Request request = builder.build();
    long deadline = System.nanoTime() + config.timeout().toNanos();
    for (int attempt = 0; ; attempt++) {
      long remaining = deadline - System.nanoTime();
      if (remaining <= 0) {
        throw timedOut();
      }
      Call call = http.newCall(request);
      call.timeout().timeout(remaining, TimeUnit.NANOSECONDS);
      cancellation.attempt(call);
      boolean last = attempt >= retries;
      try {
        Response response = call.execute();
        int code = response.code();
        if ((code == 502 || code == 503 || code == 504) && !last) {
          response.close();
          metrics.upstreamError("status_" + code);
          retryAfterBackoff(attempt, deadline, request, "HTTP " + code);
          continue;
        }
        return new Exchange(call, response);
      } catch (IOException e) {
        if (cancellation.cancelled()) {
          throw new Cancellation.Cancelled();
        }
        if (e instanceof InterruptedIOException) {
          metrics.upstreamError("timeout");
          throw timedOut();
        }
        metrics.upstreamError("connect");
        if (last) {
          // where the backend lives and why it failed is for the operator's log, not for every client
          log.warn("the upstream {} is unreachable: {}", config.upstream(), e.toString());
          throw new ApiException(502, "the upstream is unreachable", null, "upstream_unreachable");
        }
        retryAfterBackoff(attempt, deadline, request, e.toString());
      }
    }
  }

  /**
   * Shared mode always uses the bridge's key; otherwise the client's own Authorization wins, unless
   * it is a client key, which is for this bridge, never for the upstream.
   */
  String authorization(String clientAuthorization) {
    if (config.sharedMode()) {
      return "Bearer " + config.apiKey();
    }
    if (clientAuthorization != null && config.clientKeys().isEmpty()) {
      return clientAuthorization;
    }
    return config.apiKey() != null ? "Bearer " + config.apiKey() : null;
  }

  /** The wait before retry {@code attempt + 1}: capped exponential, half of it jitter. */
  static long backoffMillis(int attempt) {
    long cap = Math.min(MAX_BACKOFF_MILLIS, BASE_BACKOFF_MILLIS << Math.min(attempt, 10));
    return cap / 2 + ThreadLocalRandom.current().nextLong(cap / 2 + 1);
  }

  private void retryAfterBackoff(int attempt, long deadline, Request request, String reason) {
    long sleep = backoffMillis(attempt);
    long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
    if (sleep >= left) {
      throw timedOut();
    }
    metrics.upstreamRetry();
    log.debug("retrying {} {} in {} ms after {}", request.method(), request.url(), sleep, reason);
    try {
      Thread.sleep(sleep);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ApiException(502, "interrupted while waiting to retry the upstream", null, "upstream_unreachable");
    }
  }

}
