package dev.ollamabridge.bridge;

import static dev.ollamabridge.bridge.KeyFiles.key;
import static dev.ollamabridge.bridge.KeyFiles.secret;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ollamabridge.digest.Sha256;
import dev.ollamabridge.fake.FakeOllama;
import dev.ollamabridge.link.KeyRule;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The usage metrics a bridge keeps per client key and model, exact for a known traffic: requests,
 * errors, tokens the backend spent and cache hits; the console's internal key left out; at most
 * 500 (key, model) pairs.
 */
class KeyUsageMetricsTest {

  private static final String OLLAMA_CHAT = """
      {"model":"%s","messages":[{"role":"user","content":"%s"}],"stream":false}""";
  private static final String OPENAI_STREAM = """
      {"model":"fake-llama","messages":[{"role":"user","content":"one two three"}],"stream":true,
       "stream_options":{"include_usage":true}}""";

  @TempDir Path dir;

  @Test
  void eachKeyAndModelCountsExactlyTheTrafficSent() {
    String a = secret();
    String b = secret();
    String console = secret();
    Path file = dir.resolve("client-keys.json");
    KeyFiles.write(file, true, key("a", a, List.of(), 0, 0), key("b", b, List.of("fake-llama"), 0, 0),
        new KeyRule("console", "console", Sha256.hex(console), List.of(), 0, 0, null, true, true));
    double before = System.currentTimeMillis() / 1000.0;
    try (FakeOllama backend = FakeOllama.start(FakeOllama.Options.defaults().withTokens(8))) {
      BridgeServer bridge = TestBridges.inFrontOf(backend, "--client-keys-file", file.toString(), "--enable-cache",
          "--cache-dir", dir.resolve("cache").toString());
      try {
        // a: a whole answer, the same again from the cache, a stream, a model list
        assertThat(code(bridge, "/api/chat", OLLAMA_CHAT.formatted("fake-llama", "What is two plus two"), a)).isEqualTo(200);
        assertThat(code(bridge, "/api/chat", OLLAMA_CHAT.formatted("fake-llama", "What is two plus two"), a)).isEqualTo(200);
        assertThat(code(bridge, "/v1/chat/completions", OPENAI_STREAM, a)).isEqualTo(200);
        try (Response tags = TestBridges.execute(new Request.Builder().url(TestBridges.url(bridge, "/api/tags"))
            .header("Authorization", "Bearer " + a).build())) {
          assertThat(tags.code()).isEqualTo(200);
        }
        // b: a model it may not use, an embedding
        assertThat(code(bridge, "/api/chat", OLLAMA_CHAT.formatted("fake-r1", "hi"), b)).isEqualTo(403);
        JsonNode embedding = TestBridges.json(TestBridges.post(bridge, "/api/embed",
            "{\"model\":\"fake-llama\",\"input\":\"four words of input\"}", "Authorization", "Bearer " + b));
        long embeddingTokens = embedding.path("prompt_eval_count").asLong();
        assertThat(embeddingTokens).isPositive();
        // the console's own key, and no key at all
        assertThat(code(bridge, "/api/chat", OLLAMA_CHAT.formatted("fake-llama", "internal"), console)).isEqualTo(200);
        assertThat(code(bridge, "/api/chat", OLLAMA_CHAT.formatted("fake-llama", "hi"), null)).isEqualTo(401);

        // a request is counted once its answer is written, which a stream's client may see end a moment before
        await().untilAsserted(() -> assertThat(series(TestBridges.body(TestBridges.get(bridge, "/metrics")),
            "bridge_usage_requests_total")).containsExactlyInAnyOrder(
            "{key=\"a\",model=\"fake-llama\"} 3.0", "{key=\"a\",model=\"none\"} 1.0",
            "{key=\"b\",model=\"fake-r1\"} 1.0", "{key=\"b\",model=\"fake-llama\"} 1.0",
            "{key=\"none\",model=\"none\"} 1.0"));
        String metrics = TestBridges.body(TestBridges.get(bridge, "/metrics"));
        assertThat(series(metrics, "bridge_usage_errors_total")).containsExactlyInAnyOrder(
            "{key=\"a\",model=\"fake-llama\"} 0.0", "{key=\"a\",model=\"none\"} 0.0",
            "{key=\"b\",model=\"fake-r1\"} 1.0", "{key=\"b\",model=\"fake-llama\"} 0.0",
            "{key=\"none\",model=\"none\"} 1.0");
        assertThat(series(metrics, "bridge_usage_prompt_tokens_total"))
            .as("5 words, then 3; the hit spent none").contains("{key=\"a\",model=\"fake-llama\"} 8.0")
            .contains("{key=\"b\",model=\"fake-llama\"} " + embeddingTokens + ".0");
        assertThat(series(metrics, "bridge_usage_completion_tokens_total"))
            .contains("{key=\"a\",model=\"fake-llama\"} 16.0", "{key=\"b\",model=\"fake-llama\"} 0.0");
        assertThat(series(metrics, "bridge_usage_cache_hits_total"))
            .contains("{key=\"a\",model=\"fake-llama\"} 1.0", "{key=\"b\",model=\"fake-llama\"} 0.0");
        assertThat(metrics).doesNotContain("key=\"console\"");
        Matcher started = Pattern.compile("(?m)^bridge_start_time_seconds (\\S+)$").matcher(metrics);
        assertThat(started.find()).isTrue();
        assertThat(Double.parseDouble(started.group(1))).isBetween(before, System.currentTimeMillis() / 1000.0);
      } finally {
        TestBridges.close(bridge);
      }
    }
  }

  @Test
  void pastFiveHundredKeyAndModelPairsTheRestCountUnderOther() throws Exception {
    BridgeMetrics metrics = new BridgeMetrics();
    for (int i = 0; i < 510; i++) {
      metrics.usage("k", "model-" + i, 200, 1L, 2L, false);
    }
    metrics.usage("k", "model-7", 500, null, null, false);
    metrics.usage("j", "m".repeat(201), 200, null, null, false);

    ByteArrayOutputStream out = new ByteArrayOutputStream();
    metrics.writeTo(out);
    List<String> requests = series(out.toString(StandardCharsets.UTF_8), "bridge_usage_requests_total");
    assertThat(requests).hasSize(BridgeMetrics.MAX_USAGE_PAIRS + 2)
        .contains("{key=\"k\",model=\"model-7\"} 2.0", "{key=\"k\",model=\"model-499\"} 1.0",
            "{key=\"k\",model=\"(other)\"} 10.0", "{key=\"j\",model=\"(other)\"} 1.0")
        .noneMatch(line -> line.contains("model-500"));
    assertThat(series(out.toString(StandardCharsets.UTF_8), "bridge_usage_prompt_tokens_total"))
        .contains("{key=\"k\",model=\"(other)\"} 10.0");
  }

  /** The labels and value of each sample of a metric, e.g. {@code {key="a",model="m"} 3.0}. */
  private static List<String> series(String metrics, String name) {
    return metrics.lines().filter(line -> line.startsWith(name + "{")).map(line -> line.substring(name.length())).toList();
  }

  private static int code(BridgeServer bridge, String path, String body, String key) {
    String[] headers = key == null ? new String[0] : new String[] {"Authorization", "Bearer " + key};
    try (Response response = TestBridges.post(bridge, path, body, headers)) {
      response.body().string(); // a stream is counted once it has ended
      return response.code();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
