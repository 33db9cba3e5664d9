package dev.ollamabridge.console.metrics;

import dev.ollamabridge.bridge.BridgeConfig;
import dev.ollamabridge.bridge.BridgeServer;
import dev.ollamabridge.cli.HostPort;
import dev.ollamabridge.fake.FakeOllama;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

/** A real bridge with its cache on, in front of the built-in fake backend, both on free ports of 127.0.0.1. */
public final class RunningBridge implements AutoCloseable {

  static final OkHttpClient HTTP = new OkHttpClient.Builder().readTimeout(Duration.ofSeconds(30)).build();
  private static final MediaType JSON = MediaType.get("application/json");

  private final FakeOllama backend;
  private final BridgeServer bridge;

  public RunningBridge(Path cacheDir) {
    backend = FakeOllama.start(FakeOllama.Options.defaults().withTokens(5));
    try {
      bridge = BridgeServer.start(config(backend.baseUrl(), cacheDir));
    } catch (RuntimeException e) {
      backend.close();
      throw e;
    }
  }

  /** The defaults of {@code ollama-bridge bridge --enable-cache}, but on a free port. */
  private static BridgeConfig config(String upstream, Path cacheDir) {
    String checked = BridgeConfig.checkUpstream(upstream);
    return new BridgeConfig(new HostPort("127.0.0.1", 0), checked, BridgeConfig.resolveDialect(checked, "auto"),
        Duration.ofMinutes(5), 0, cacheDir, Duration.ofHours(1), 1000, false, null, true, List.of(), 2,
        32 * 1024 * 1024, Duration.ofSeconds(5), Duration.ofSeconds(10), List.of());
  }

  public int port() {
    return bridge.port();
  }

  String baseUrl() {
    return "http://127.0.0.1:" + bridge.port();
  }

  /** Asks the bridge for a chat answer, streamed, and reads it all. */
  void chat(String prompt) {
    String body = """
        {"model":"fake-llama","stream":true,"messages":[{"role":"user","content":"%s"}]}""".formatted(prompt);
    Request request = new Request.Builder().url(baseUrl() + "/api/chat").post(RequestBody.create(body, JSON)).build();
    try (Response response = HTTP.newCall(request).execute()) {
      if (response.code() != 200) {
        throw new IllegalStateException("the bridge answered " + response.code() + ": " + response.body().string());
      }
      response.body().string();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  String metrics() {
    try (Response response = HTTP.newCall(new Request.Builder().url(baseUrl() + "/metrics").build()).execute()) {
      return response.body().string();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    bridge.close();
    backend.close();
  }
}
