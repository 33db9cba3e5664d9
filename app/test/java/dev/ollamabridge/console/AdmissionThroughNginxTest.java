package dev.ollamabridge.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ollamabridge.fake.FakeOllama;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Load-aware admission through the console's nginx: while the one slot of an instance (max_concurrent 1,
 * no queue) is busy, a burst goes to its peer, and no request fails.
 */
class AdmissionThroughNginxTest {

  /** Longer than the whole test may take: a request the narrow backend starts under it is busy throughout. */
  private static final long HOLD_MS = 600_000;
  private static final OkHttpClient HTTP = new OkHttpClient.Builder().readTimeout(Duration.ofMillis(HOLD_MS)).build();

  @TempDir Path data;
  private final FakeOllama narrowBackend = FakeOllama.start(FakeOllama.Options.defaults().withModels("slow").withControlRoutes(true));
  private final FakeOllama wideBackend = FakeOllama.start(FakeOllama.Options.defaults().withModels("slow").withControlRoutes(true));
  private ManagedNginxFixture nginx;
  private final List<Call> calls = new ArrayList<>();

  @AfterEach
  void stop() {
    calls.forEach(Call::cancel);
    try {
      if (nginx != null) {
        nginx.close();
      }
    } finally {
      narrowBackend.close();
      wideBackend.close();
    }
  }

  @Test
  void whileABackendsOneSlotIsBusyABurstGoesToItsPeerAndNoRequestFails() throws Exception {
    nginx = new ManagedNginxFixture(data);
    long narrow = nginx.create("narrow", narrowBackend.baseUrl(), 1);
    long wide = nginx.create("wide", wideBackend.baseUrl(), 1);
    ConsoleClient.Answer limited = nginx.api.patch("/instances/" + narrow,
        "{\"version\":1,\"max_concurrent\":1,\"queue_size\":0}");
    assertThat(limited.status()).as(limited.body().toString()).isEqualTo(200);
    nginx.awaitHealthy(narrow);
    nginx.awaitHealthy(wide);
    nginx.awaitSettled();
    assertThat(nginx.appliedConfig()).contains("max_conns=1; # narrow", "\"slow\" \"@group_1\";", "# wide\n");

    // the narrow backend holds what it starts now: its one slot is taken by the first request sent to it
    latency(narrowBackend, HOLD_MS);
    occupyTheNarrowSlot();
    latency(narrowBackend, 0);
    long wideBefore = wideBackend.stats().requests();

    ExecutorService clients = Executors.newFixedThreadPool(8);
    List<CompletableFuture<Integer>> burst = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      String question = "burst question " + i;
      burst.add(CompletableFuture.supplyAsync(() -> nginx.chat("slow", question), clients));
    }
    List<Integer> statuses = burst.stream().map(CompletableFuture::join).toList();
    clients.shutdown();

    assertThat(statuses).as(nginx.errorLogTail()).containsOnly(200);
    assertThat(narrowBackend.stats().active()).as("the narrow slot was busy throughout the burst").isEqualTo(1);
    assertThat(narrowBackend.stats().requests()).as("the narrow backend got only the request that holds its slot").isEqualTo(1);
    assertThat(wideBackend.stats().requests() - wideBefore).as("the whole burst went to the peer").isEqualTo(8);
  }

  /**
   * Sends chats one at a time until one reaches the narrow backend, which holds it; those the wide
   * backend answers meanwhile come back at once. The held call is cancelled after the test.
   */
  private void occupyTheNarrowSlot() {
    for (int attempt = 0; attempt < 10; attempt++) {
      Call call = HTTP.newCall(new Request.Builder().url("http://127.0.0.1:" + nginx.nginxPort + "/api/chat")
          .post(RequestBody.create("{\"model\":\"slow\",\"stream\":false,\"messages\":[{\"role\":\"user\",\"content\":"
              + "\"hold " + attempt + "\"}]}", MediaType.get("application/json"))).build());
      calls.add(call);
      CompletableFuture<Integer> answered = new CompletableFuture<>();
      call.enqueue(new Callback() {
        @Override
        public void onResponse(Call call, Response response) {
          try (response) {
            answered.complete(response.code());
          }
        }

        @Override
        public void onFailure(Call call, IOException e) {
          answered.completeExceptionally(e);
        }
      });
      await().atMost(ManagedNginxFixture.PATIENCE).until(() -> narrowBackend.stats().active() == 1 || answered.isDone());
      if (narrowBackend.stats().active() == 1) {
        return;
      }
      assertThat(answered.join()).as("answered by the wide backend").isEqualTo(200);
    }
    throw new AssertionError("no request of ten reached the narrow backend");
  }

  /** Sets the narrow or wide backend's wait before it answers, for the requests it starts from now on. */
  private static void latency(FakeOllama backend, long millis) throws IOException {
    try (Response changed = HTTP.newCall(new Request.Builder().url(backend.baseUrl() + "/_fake/faults")
        .post(RequestBody.create("{\"latency_ms\":" + millis + "}", MediaType.get("application/json"))).build()).execute()) {
      assertThat(changed.code()).as("the fake's fault hook").isEqualTo(200);
    }
  }
}
