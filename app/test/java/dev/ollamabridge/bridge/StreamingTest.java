package dev.ollamabridge.bridge;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ollamabridge.fake.Dialect;
import dev.ollamabridge.fake.FakeOllama;
import java.time.Duration;
import java.time.Instant;
import java.util.function.BooleanSupplier;
import okhttp3.Response;
import okio.BufferedSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Streams flow through as they are generated, and stop upstream when the client leaves. */
class StreamingTest {

  /** 40 tokens at 20 per second: the backend is busy for two seconds per answer. */
  private final FakeOllama backend =
      FakeOllama.start(FakeOllama.Options.defaults().withDialect(Dialect.OLLAMA).withTokenRate(20).withTokens(40));
  private final BridgeServer bridge = TestBridges.inFrontOf(backend);

  @AfterEach
  void stop() {
    TestBridges.close(bridge);
    backend.close();
  }

  @Test
  void theFirstChunkReachesTheClientWhileTheBackendIsStillGenerating() throws Exception {
    try (Response response = TestBridges.post(bridge, "/v1/chat/completions", """
        {"model":"fake-llama","stream":true,"messages":[{"role":"user","content":"count slowly"}]}""")) {
      BufferedSource source = response.body().source();

      JsonNode first = firstContentChunk(source);

      assertThat(first.at("/choices/0/delta/content").asText()).isNotEmpty();
      assertThat(backend.stats().active()).as("answers the backend is still generating").isEqualTo(1);
      assertThat(backend.stats().completed()).isZero();
    }
  }

  @Test
  void aStreamOfTheBackendsOwnDialectReachesTheClientChunkByChunkToo() throws Exception {
    try (Response response = TestBridges.post(bridge, "/api/chat", """
        {"model":"fake-llama","stream":true,"messages":[{"role":"user","content":"count slowly"}]}""")) {
      BufferedSource source = response.body().source();

      JsonNode first = TestBridges.json(source.readUtf8LineStrict());
      JsonNode second = TestBridges.json(source.readUtf8LineStrict());

      assertThat(first.at("/message/content").asText()).isNotEmpty();
      assertThat(second.path("done").asBoolean()).isFalse();
      assertThat(backend.stats().active()).as("answers the backend is still generating").isEqualTo(1);
      assertThat(backend.stats().completed()).isZero();
    }
  }

  @Test
  void aStreamThatOutlivesTheTimeoutEndsWithATimeoutErrorAndStopsUpstream() throws Exception {
    BridgeServer impatient = TestBridges.inFrontOf(backend, "--timeout", "500");
    try (Response response = TestBridges.post(impatient, "/api/chat", """
        {"model":"fake-llama","stream":true,"messages":[{"role":"user","content":"count slowly"}]}""")) {
      String body = response.body().string().strip();

      assertThat(response.code()).isEqualTo(200);
      String last = body.substring(body.lastIndexOf('\n') + 1);
      assertThat(TestBridges.json(last).path("error").asText()).contains("within 500 ms");
      waitFor(() -> backend.stats().active() == 0, Duration.ofSeconds(5));
      assertThat(backend.stats().completed()).as("the backend's answer was cut off").isZero();
    } finally {
      TestBridges.close(impatient);
    }
  }

  @Test
  void aClientThatDisconnectsCancelsTheUpstreamCall() throws Exception {
    Response response = TestBridges.post(bridge, "/api/chat", """
        {"model":"fake-llama","messages":[{"role":"user","content":"count slowly"}]}""");
    BufferedSource source = response.body().source();
    assertThat(source.readUtf8Line()).contains("\"done\":false");

    response.close();

    waitFor(() -> backend.stats().cancelled() == 1, Duration.ofSeconds(10));
    assertThat(backend.stats().active()).isZero();
    assertThat(backend.stats().completed()).isZero();
  }

  @Test
  void aStoppingBridgeLetsTheStreamsInFlightFinish() throws Exception {
    Response response = TestBridges.post(bridge, "/api/chat", """
        {"model":"fake-llama","messages":[{"role":"user","content":"count slowly"}]}""");
    BufferedSource source = response.body().source();
    assertThat(source.readUtf8Line()).contains("\"done\":false");

    Thread stopping = new Thread(bridge::close);
    stopping.start();

    String last = null;
    String line;
    while ((line = source.readUtf8Line()) != null) {
      last = line;
    }
    stopping.join();
    response.close();
    assertThat(last).contains("\"done\":true");
    assertThat(backend.stats().completed()).isEqualTo(1);
  }

  private static JsonNode firstContentChunk(BufferedSource source) throws Exception {
    String line;
    while ((line = source.readUtf8Line()) != null) {
      if (line.startsWith("data: {")) {
        JsonNode chunk = TestBridges.json(line.substring(6));
        if (!chunk.at("/choices/0/delta/content").asText().isEmpty()) {
          return chunk;
        }
      }
    }
    throw new AssertionError("the stream ended without content");
  }

  private static void waitFor(BooleanSupplier condition, Duration limit) throws InterruptedException {
    Instant deadline = Instant.now().plus(limit);
    while (!condition.getAsBoolean()) {
      if (Instant.now().isAfter(deadline)) {
        throw new AssertionError("condition not met within " + limit);
      }
      Thread.sleep(50);
    }
  }
}
