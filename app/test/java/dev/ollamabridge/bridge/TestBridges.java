package dev.ollamabridge.bridge;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ollamabridge.bridge.translate.Json;
import dev.ollamabridge.fake.FakeOllama;
import dev.ollamabridge.http.AddressPolicy;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import picocli.CommandLine;

/** Starts bridges the way the command line does, and talks to them as a plain HTTP client. */
final class TestBridges {

  static final OkHttpClient HTTP = new OkHttpClient.Builder().readTimeout(Duration.ofSeconds(30)).build();
  private static final MediaType JSON = MediaType.get("application/json");

  private TestBridges() {}

  /** A bridge on a free port, configured by the same flags a user would type. */
  static BridgeServer start(String... args) {
    return BridgeServer.start(config(args));
  }

  /** As {@link #start}, fetching remote images from the addresses {@code imageAddresses} allows, not public ones only. */
  static BridgeServer startFetchingImagesFrom(AddressPolicy imageAddresses, String... args) {
    return BridgeServer.start(config(args), imageAddresses);
  }

  /** As {@link #start}, with {@code environment} as the bridge's environment variables (e.g. BRIDGE_CACHE_REDIS_PASSWORD). */
  static BridgeServer startWithEnvironment(java.util.Map<String, String> environment, String... args) {
    return BridgeServer.start(config(environment, args));
  }

  private static BridgeConfig config(String... args) {
    return config(System.getenv(), args);
  }

  private static BridgeConfig config(java.util.Map<String, String> environment, String... args) {
    List<String> all = new ArrayList<>(List.of("--listen", "127.0.0.1:0"));
    all.addAll(List.of(args));
    BridgeCommand command = new BridgeCommand();
    command.environment = environment;
    new CommandLine(command).parseArgs(all.toArray(String[]::new));
    return command.config();
  }

  static BridgeServer inFrontOf(FakeOllama fake, String... args) {
    List<String> all = new ArrayList<>(List.of("--ollama", fake.baseUrl()));
    all.addAll(List.of(args));
    return start(all.toArray(String[]::new));
  }

  /**
   * Stops a bridge without waiting out this client's idle connection: a stopping bridge (Jetty's
   * graceful stop) gives an idle keep-alive connection a second to close and sees it close only at the
   * next idle check, 2 s after the stop began. Closing the idle connections first lets it stop at once;
   * requests in flight are still waited for, as before. Null (a test that failed before starting one)
   * is nothing to stop.
   */
  static void close(BridgeServer bridge) {
    HTTP.connectionPool().evictAll();
    if (bridge != null) {
      bridge.close();
    }
  }

  static String url(BridgeServer bridge, String path) {
    return "http://127.0.0.1:" + bridge.port() + path;
  }

  static Response post(BridgeServer bridge, String path, String json, String... headers) {
    Request.Builder request = new Request.Builder().url(url(bridge, path)).post(RequestBody.create(json, JSON));
    for (int i = 0; i < headers.length; i += 2) {
      request.header(headers[i], headers[i + 1]);
    }
    return execute(request.build());
  }

  /** Sends a POST without waiting for its answer, which is dropped; cancel the call to hang up. */
  static Call postInBackground(BridgeServer bridge, String path, String json) {
    Call call = HTTP.newCall(new Request.Builder().url(url(bridge, path)).post(RequestBody.create(json, JSON)).build());
    call.enqueue(new Callback() {
      @Override
      public void onFailure(Call failed, IOException e) {}

      @Override
      public void onResponse(Call answered, Response response) {
        response.close();
      }
    });
    return call;
  }

  static Response get(BridgeServer bridge, String path) {
    return execute(new Request.Builder().url(url(bridge, path)).build());
  }

  static Response execute(Request request) {
    try {
      return HTTP.newCall(request).execute();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static JsonNode json(Response response) {
    try (response) {
      return Json.MAPPER.readTree(response.body().string());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static JsonNode json(String text) {
    try {
      return Json.MAPPER.readTree(text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The JSON objects of an SSE stream (without the closing {@code [DONE]}), or of NDJSON lines. */
  static List<JsonNode> chunks(String body) {
    List<JsonNode> chunks = new ArrayList<>();
    for (String line : body.split("\n")) {
      String data = line.startsWith("data: ") ? line.substring(6) : line;
      if (!data.isBlank() && !data.equals("[DONE]")) {
        chunks.add(json(data));
      }
    }
    return chunks;
  }

  static String body(Response response) {
    try (response) {
      return response.body().string();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
