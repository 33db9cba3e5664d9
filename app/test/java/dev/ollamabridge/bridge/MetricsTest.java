package dev.ollamabridge.bridge;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ollamabridge.fake.FakeOllama;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code /metrics} counts what an operator graphs, in Prometheus text format. */
class MetricsTest {

  @TempDir Path cacheDir;
  private final FakeOllama backend = FakeOllama.start(FakeOllama.Options.defaults().withTokens(5));
  private BridgeServer bridge;

  @AfterEach
  void stop() {
    TestBridges.close(bridge);
    backend.close();
  }

  @Test
  void requestsTokensTimingsAndCacheOutcomesAreCounted() {
    bridge = TestBridges.inFrontOf(backend, "--enable-cache", "--cache-dir", cacheDir.toString());
    String chat = """
        {"model":"fake-llama","stream":true,"messages":[{"role":"user","content":"one two three"}]}""";
    TestBridges.body(TestBridges.post(bridge, "/api/chat", chat));
    TestBridges.body(TestBridges.post(bridge, "/api/chat", chat));

    String metrics = TestBridges.body(TestBridges.get(bridge, "/metrics"));

    assertThat(metrics)
        .contains("bridge_requests_total{cache=\"miss\",route=\"/api/chat\",status=\"200\"} 1.0")
        .contains("bridge_requests_total{cache=\"hit\",route=\"/api/chat\",status=\"200\"} 1.0")
        .contains("bridge_time_to_first_token_seconds_count{route=\"/api/chat\"} 2")
        .contains("bridge_request_duration_seconds_bucket")
        .contains("bridge_completion_tokens_total 5.0")
        .contains("bridge_cache_hits_total{tier=\"memory\"} 1.0")
        .contains("bridge_cache_misses_total 1.0")
        .contains("bridge_cache_entries{tier=\"disk\"} 1.0")
        .contains("bridge_requests_in_flight 0.0");
  }
}
