package dev.ollamabridge.bridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ollamabridge.fake.Dialect;
import dev.ollamabridge.fake.FakeOllama;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A thousand streamed chats at once through one bridge, each translated from the backend's Ollama
 * lines to an OpenAI client's events: every stream gets its first token while all are open (the
 * backend generates all thousand at once), and when the clients leave, the backend stops them all.
 */
class ManyStreamsTest {

  private static final int STREAMS = 1000;
  private static final String CHAT = """
      {"model":"fake-llama","stream":true,"messages":[{"role":"user","content":"count very slowly"}]}""";

  @Test
  void aThousandStreamsGetTheirFirstTokenWhileAllAreOpenAndEndWhenTheirClientsLeave() throws Exception {
    // a token a second, 600 of them: no stream ends by itself while the test runs
    try (FakeOllama slow = FakeOllama.start(FakeOllama.Options.defaults().withDialect(Dialect.OLLAMA).withTokens(600)
        .withTokenRate(1))) {
      BridgeServer bridge = TestBridges.inFrontOf(slow);
      try {
        HttpClient many = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(60)).build();
        FirstEvent[] firsts = new FirstEvent[STREAMS];
        for (int i = 0; i < STREAMS; i++) {
          firsts[i] = new FirstEvent();
          many.sendAsync(HttpRequest.newBuilder(URI.create(TestBridges.url(bridge, "/v1/chat/completions")))
              .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(CHAT)).build(),
              HttpResponse.BodyHandlers.fromLineSubscriber(firsts[i]));
        }
        for (int i = 0; i < STREAMS; i++) {
          assertThat(firsts[i].event.get(120, TimeUnit.SECONDS)).as("stream %d's first event", i)
              .startsWith("data: {").contains("chat.completion.chunk");
        }
        assertThat(slow.stats().active()).as("answers the backend generates at once").isEqualTo(STREAMS);
        for (FirstEvent first : firsts) {
          first.leave();
        }
        await().atMost(Duration.ofSeconds(120)).untilAsserted(() -> assertThat(slow.stats().active()).isZero());
        assertThat(slow.stats().completed()).as("answers generated to their end for nobody").isZero();
      } finally {
        TestBridges.close(bridge);
      }
    }
  }

  /** Completes with a stream's first event line, then can leave the stream. */
  private static final class FirstEvent implements Flow.Subscriber<String> {
    final CompletableFuture<String> event = new CompletableFuture<>();
    private volatile Flow.Subscription subscription;

    @Override
    public void onSubscribe(Flow.Subscription subscription) {
      this.subscription = subscription;
      subscription.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(String line) {
      if (!line.isBlank()) {
        event.complete(line);
      }
    }

    @Override
    public void onError(Throwable error) {
      event.completeExceptionally(error);
    }

    @Override
    public void onComplete() {
      event.completeExceptionally(new AssertionError("the stream ended before its first event"));
    }

    void leave() {
      subscription.cancel();
    }
  }
}
