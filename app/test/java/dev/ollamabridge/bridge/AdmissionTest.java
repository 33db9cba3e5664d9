package dev.ollamabridge.bridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ollamabridge.fake.FakeOllama;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import okhttp3.Call;
import okhttp3.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code --max-concurrent}, {@code --queue-size}, {@code --queue-timeout}: generations beyond the
 * backend's slots wait in a bounded queue or are turned away with 503 and {@code Retry-After}
 * before any byte of an answer, in the route's dialect, so nginx can try another bridge; a slot is
 * given back however its answer ends.
 */
class AdmissionTest {

  /** A long answer, slowly: a stream holds its slot for far longer than any test waits for it. */
  private static FakeOllama backend;
  private final List<Response> streams = new ArrayList<>();
  private BridgeServer bridge;

  @TempDir Path cacheDir;

  @BeforeAll
  static void startBackend() {
    backend = FakeOllama.start(FakeOllama.Options.defaults().withTokenRate(20).withTokens(1000));
  }

  @AfterAll
  static void stopBackend() {
    backend.close();
  }

  @AfterEach
  void stop() {
    try {
      streams.forEach(Response::close);
    } finally {
      TestBridges.close(bridge);
    }
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "/v1/chat/completions | {\"model\":\"fake-llama\",\"max_tokens\":2,\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}",
      "/v1/completions | {\"model\":\"fake-llama\",\"max_tokens\":2,\"prompt\":\"Hi\"}",
      "/v1/responses | {\"model\":\"fake-llama\",\"max_output_tokens\":2,\"input\":\"Hi\"}",
      "/v1/embeddings | {\"model\":\"fake-llama\",\"input\":\"Hi\"}",
      "/api/chat | {\"model\":\"fake-llama\",\"stream\":false,\"options\":{\"num_predict\":2},\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}",
      "/api/generate | {\"model\":\"fake-llama\",\"stream\":false,\"options\":{\"num_predict\":2},\"prompt\":\"Hi\"}",
      "/api/embed | {\"model\":\"fake-llama\",\"input\":\"Hi\"}",
      "/api/embeddings | {\"model\":\"fake-llama\",\"prompt\":\"Hi\"}"})
  void aGenerationBeyondTheSlotsIsA503WithRetryAfterInItsDialectWhileTheFirstStreamsOn(String path, String body)
      throws IOException {
    bridge = TestBridges.inFrontOf(backend, "--max-concurrent", "1");
    Response first = streaming("Tell me a long story");

    Response second = TestBridges.post(bridge, path, body);

    assertThat(second.code()).isEqualTo(503);
    assertThat(second.header("Retry-After")).isEqualTo("1");
    JsonNode error = TestBridges.json(second).path("error");
    if (path.startsWith("/api/")) {
      assertThat(error.asText()).contains("busy", "--max-concurrent");
    } else {
      assertThat(error.path("code").asText()).isEqualTo("overloaded");
      assertThat(error.path("message").asText()).contains("busy", "--max-concurrent");
    }
    assertThat(first.body().source().readUtf8Line()).as("the first answer streams on").contains("\"done\":false");
  }

  @Test
  void aGenerationWaitsInTheQueueForASlotAndOneMoreFindsTheQueueFull() throws Exception {
    bridge = TestBridges.inFrontOf(backend, "--max-concurrent", "1", "--queue-size", "1");
    Response first = streaming("Tell me a long story");
    CompletableFuture<Response> waiting = CompletableFuture.supplyAsync(() -> shortChat("And a short one?"));
    await().atMost(Duration.ofSeconds(10)).until(() -> admission().path("queued").asInt() == 1);

    Response turnedAway = shortChat("One more?");
    first.close(); // the client leaves: its slot goes to the request that waits

    assertThat(turnedAway.code()).isEqualTo(503);
    assertThat(TestBridges.json(turnedAway).path("error").asText()).contains("queue of 1 is full");
    Response served = waiting.get(30, TimeUnit.SECONDS);
    assertThat(served.code()).isEqualTo(200);
    assertThat(TestBridges.json(served).path("done").asBoolean()).isTrue();
  }

  @Test
  void aGenerationThatWaitsOutTheQueueTimeoutIsA503() {
    bridge = TestBridges.inFrontOf(backend, "--max-concurrent", "1", "--queue-size", "4", "--queue-timeout", "200");
    streaming("Tell me a long story");

    Response late = TestBridges.post(bridge, "/v1/chat/completions", """
        {"model":"fake-llama","max_tokens":2,"messages":[{"role":"user","content":"Hi"}]}""");

    assertThat(late.code()).isEqualTo(503);
    assertThat(late.header("Retry-After")).isEqualTo("1");
    assertThat(TestBridges.json(late).at("/error/message").asText()).contains("--queue-timeout of 200 ms");
    assertThat(metrics()).contains("bridge_admission_rejections_total{reason=\"timeout\"} 1.0");
  }

  @Test
  void aSlotIsGivenBackAfterAnErrorAnswer() {
    bridge = TestBridges.inFrontOf(backend, "--max-concurrent", "1");

    Response unknownModel = TestBridges.post(bridge, "/api/chat", """
        {"model":"no-such-model","stream":false,"messages":[{"role":"user","content":"Hi"}]}""");
    Response next = shortChat("Hi");

    assertThat(unknownModel.code()).isEqualTo(404);
    TestBridges.body(unknownModel);
    assertThat(next.code()).isEqualTo(200);
    TestBridges.body(next);
    assertThat(admission().path("in_use").asInt()).isZero();
  }

  @Test
  void aSlotIsGivenBackWhenAStreamingClientHangsUp() {
    bridge = TestBridges.inFrontOf(backend, "--max-concurrent", "1");
    Response first = streaming("Tell me a long story");

    hangUpAndExpectTheSlotBack(first);
  }

  @Test
  void aClientThatHangsUpWhileItWaitsLeavesTheQueue() {
    bridge = TestBridges.inFrontOf(backend, "--max-concurrent", "1", "--queue-size", "1");
    Response first = streaming("Tell me a long story");
    Call waiting = TestBridges.postInBackground(bridge, "/api/chat", shortChatBody("Will you wait?"));
    await().atMost(Duration.ofSeconds(10)).until(() -> admission().path("queued").asInt() == 1);

    waiting.cancel();

    await().atMost(Duration.ofSeconds(10)).until(() -> admission().path("queued").asInt() == 0);
    assertThat(admission().path("in_use").asInt()).as("the first answer still holds its slot").isEqualTo(1);
    hangUpAndExpectTheSlotBack(first);
  }

  @Test
  void aCachedAnswerNeedsNoSlot() {
    bridge = TestBridges.inFrontOf(backend, "--max-concurrent", "1", "--enable-cache", "--cache-dir", cacheDir.toString());
    TestBridges.body(shortChat("What is a cache?"));
    streaming("Tell me a long story");

    Response hit = shortChat("What is a cache?");

    assertThat(hit.code()).isEqualTo(200);
    assertThat(hit.header("bridge-cache-hit")).isEqualTo("true");
    TestBridges.body(hit);
  }

  @Test
  void metricsAndHealthShowTheSlotsTheQueueAndTheRejections() {
    bridge = TestBridges.inFrontOf(backend, "--max-concurrent", "1");
    streaming("Tell me a long story");
    TestBridges.body(shortChat("Hi"));

    assertThat(metrics())
        .contains("bridge_admission_slots_limit 1.0")
        .contains("bridge_admission_slots_in_use 1.0")
        .contains("bridge_admission_queue_depth 0.0")
        .contains("bridge_admission_wait_seconds_count 1")
        .contains("bridge_admission_rejections_total{reason=\"queue_full\"} 1.0")
        .contains("bridge_requests_total{cache=\"off\",route=\"/api/chat\",status=\"503\"} 1.0");
    JsonNode admission = admission();
    assertThat(admission.path("max_concurrent").asInt()).isEqualTo(1);
    assertThat(admission.path("in_use").asInt()).isEqualTo(1);
    assertThat(admission.path("queued").asInt()).isZero();
  }

  @Test
  void withoutALimitEveryGenerationGoesThrough() {
    bridge = TestBridges.inFrontOf(backend);
    streaming("Tell me a long story");
    streaming("And another");

    Response third = shortChat("Hi");

    assertThat(third.code()).isEqualTo(200);
    TestBridges.body(third);
    assertThat(admission().path("max_concurrent").asInt()).isZero();
    assertThat(admission().path("in_use").asInt()).isEqualTo(2);
  }

  /** A streamed chat whose first line has arrived: it holds a slot until closed. */
  private Response streaming(String question) {
    Response response = TestBridges.post(bridge, "/api/chat", """
        {"model":"fake-llama","messages":[{"role":"user","content":"%s"}]}""".formatted(question));
    streams.add(response);
    assertThat(response.code()).isEqualTo(200);
    try {
      assertThat(response.body().source().readUtf8Line()).contains("\"done\":false");
    } catch (IOException e) {
      throw new AssertionError(e);
    }
    return response;
  }

  /** Once the client of {@code holder} hangs up, its slot comes back and serves the next generation. */
  private void hangUpAndExpectTheSlotBack(Response holder) {
    holder.close();
    await().atMost(Duration.ofSeconds(10)).until(() -> admission().path("in_use").asInt() == 0);
    Response next = shortChat("Hi");
    assertThat(next.code()).isEqualTo(200);
    TestBridges.body(next);
  }

  private Response shortChat(String question) {
    return TestBridges.post(bridge, "/api/chat", shortChatBody(question));
  }

  private static String shortChatBody(String question) {
    return """
        {"model":"fake-llama","stream":false,"options":{"num_predict":2},"messages":[{"role":"user","content":"%s"}]}"""
        .formatted(question);
  }

  private JsonNode admission() {
    return TestBridges.json(TestBridges.get(bridge, "/health")).path("admission");
  }

  private String metrics() {
    return TestBridges.body(TestBridges.get(bridge, "/metrics"));
  }
}
