package dev.ollamabridge.bridge;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.ollamabridge.fake.Dialect;
import dev.ollamabridge.fake.FakeOllama;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import okhttp3.MediaType;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Ollama's model management through a bridge: refused, saying why, unless the bridge was started
 * with {@code --allow-model-management} in front of an Ollama backend; then passed through as it
 * comes, a pull's progress line by line.
 */
class ModelManagementTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final MediaType JSON_TYPE = MediaType.get("application/json");

  private final CountDownLatch firstLineRead = new CountDownLatch(1);
  private final Map<String, byte[]> received = new ConcurrentHashMap<>();
  private HttpServer ollama;
  private BridgeServer bridge;

  @BeforeEach
  void start() throws IOException {
    ollama = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    ollama.createContext("/api/pull", exchange -> {
      received.put("pull", exchange.getRequestBody().readAllBytes());
      exchange.getResponseHeaders().add("Content-Type", "application/x-ndjson");
      exchange.sendResponseHeaders(200, 0);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write("{\"status\":\"pulling manifest\"}\n".getBytes(StandardCharsets.UTF_8));
        out.flush();
        // the rest only once the client has the first line: a bridge that buffered would wait forever
        boolean seen = firstLineRead.await(30, TimeUnit.SECONDS);
        out.write(("{\"status\":\"" + (seen ? "success" : "client never saw the first line") + "\"}\n")
            .getBytes(StandardCharsets.UTF_8));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    ollama.createContext("/api/delete", exchange -> {
      received.put("delete " + exchange.getRequestMethod(), exchange.getRequestBody().readAllBytes());
      exchange.sendResponseHeaders(200, -1);
      exchange.close();
    });
    ollama.createContext("/api/blobs/", exchange -> {
      received.put(exchange.getRequestMethod() + " " + exchange.getRequestURI().getPath(), exchange.getRequestBody().readAllBytes());
      exchange.sendResponseHeaders(exchange.getRequestMethod().equals("HEAD") ? 404 : 201, -1);
      exchange.close();
    });
    ollama.start();
  }

  @AfterEach
  void stop() {
    TestBridges.close(bridge);
    ollama.stop(0);
  }

  @Test
  void withoutTheFlagTheRoutesAreRefusedInOllamasErrorShape() throws IOException {
    bridge = TestBridges.start("--ollama", "http://127.0.0.1:" + ollama.getAddress().getPort());

    try (Response pull = TestBridges.post(bridge, "/api/pull", "{\"model\":\"llama3\"}")) {
      assertThat(pull.code()).isEqualTo(403);
      assertThat(JSON.readTree(pull.body().string()).path("error").asText()).contains("--allow-model-management");
    }
    assertThat(received).isEmpty();
  }

  @Test
  void anOpenAiBackendHasNoModelManagement() throws IOException {
    try (FakeOllama openAi = FakeOllama.start(FakeOllama.Options.defaults().withDialect(Dialect.OPENAI))) {
      bridge = TestBridges.start("--ollama", openAi.baseUrl() + "/v1", "--allow-model-management");
      try (Response pull = TestBridges.post(bridge, "/api/pull", "{\"model\":\"llama3\"}")) {
        assertThat(pull.code()).isEqualTo(501);
        assertThat(JSON.readTree(pull.body().string()).path("error").asText()).contains("OpenAI-compatible");
      }
    }
  }

  @Test
  void aPullsProgressReachesTheClientLineByLine() throws IOException {
    bridge = TestBridges.start("--ollama", "http://127.0.0.1:" + ollama.getAddress().getPort(), "--allow-model-management");

    try (Response pull = TestBridges.post(bridge, "/api/pull", "{\"model\":\"llama3\",\"stream\":true}");
        BufferedReader lines = new BufferedReader(new InputStreamReader(pull.body().byteStream(), StandardCharsets.UTF_8))) {
      assertThat(pull.code()).isEqualTo(200);
      assertThat(lines.readLine()).isEqualTo("{\"status\":\"pulling manifest\"}");
      firstLineRead.countDown();
      assertThat(lines.readLine()).isEqualTo("{\"status\":\"success\"}");
    }
    assertThat(new String(received.get("pull"), StandardCharsets.UTF_8)).isEqualTo("{\"model\":\"llama3\",\"stream\":true}");
  }

  @Test
  void deletesAndBlobsPassThroughWithTheirMethodsAndBodies() throws IOException {
    bridge = TestBridges.start("--ollama", "http://127.0.0.1:" + ollama.getAddress().getPort(), "--allow-model-management");
    byte[] blob = new byte[3 * 1024 * 1024];
    new Random(7).nextBytes(blob);

    try (Response delete = TestBridges.execute(new Request.Builder().url(TestBridges.url(bridge, "/api/delete"))
        .delete(RequestBody.create("{\"model\":\"old\"}", JSON_TYPE)).build())) {
      assertThat(delete.code()).isEqualTo(200);
    }
    try (Response check = TestBridges.execute(new Request.Builder().url(TestBridges.url(bridge, "/api/blobs/sha256:abc"))
        .head().build())) {
      assertThat(check.code()).isEqualTo(404);
    }
    try (Response push = TestBridges.execute(new Request.Builder().url(TestBridges.url(bridge, "/api/blobs/sha256:abc"))
        .post(RequestBody.create(blob, MediaType.get("application/octet-stream"))).build())) {
      assertThat(push.code()).isEqualTo(201);
    }

    assertThat(new String(received.get("delete DELETE"), StandardCharsets.UTF_8)).isEqualTo("{\"model\":\"old\"}");
    assertThat(received).containsKey("HEAD /api/blobs/sha256:abc");
    assertThat(received.get("POST /api/blobs/sha256:abc")).isEqualTo(blob);
  }

  @Test
  void aBlobLargerThanTheBodyLimitGoesOnAsItArrives() throws IOException {
    bridge = TestBridges.start("--ollama", "http://127.0.0.1:" + ollama.getAddress().getPort(), "--allow-model-management",
        "--max-body-bytes", "1048576");
    byte[] blob = new byte[8 * 1024 * 1024];
    new Random(11).nextBytes(blob);

    try (Response push = TestBridges.execute(new Request.Builder().url(TestBridges.url(bridge, "/api/blobs/sha256:big"))
        .post(RequestBody.create(blob, MediaType.get("application/octet-stream"))).build())) {
      assertThat(push.code()).isEqualTo(201);
    }
    assertThat(received.get("POST /api/blobs/sha256:big")).isEqualTo(blob);

    // any other body over the limit is still refused
    try (Response chat = TestBridges.execute(new Request.Builder().url(TestBridges.url(bridge, "/api/chat"))
        .post(RequestBody.create(new byte[2 * 1024 * 1024], JSON_TYPE)).build())) {
      assertThat(chat.code()).isEqualTo(413);
    }
  }
}
