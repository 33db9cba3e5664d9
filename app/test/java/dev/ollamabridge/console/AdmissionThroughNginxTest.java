package dev.ollamabridge.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ollamabridge.fake.FakeOllama;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Load-aware admission through the console's nginx: an instance whose backend takes one request
 * at a time (max_concurrent 1, no queue) sends the overflow of a burst to its peer, and no
 * request fails.
 */
class AdmissionThroughNginxTest {

  @TempDir Path data;
  // half a second per answer: a burst of eight overlaps on both backends
  private final FakeOllama narrowBackend = FakeOllama.start(FakeOllama.Options.defaults().withModels("slow")
      .withTokens(20).withTokenRate(40));
  private final FakeOllama wideBackend = FakeOllama.start(FakeOllama.Options.defaults().withModels("slow")
      .withTokens(20).withTokenRate(40));
  private ManagedNginxFixture nginx;

  @AfterEach
  void stop() {
    if (nginx != null) {
      nginx.close();
    }
    narrowBackend.close();
    wideBackend.close();
  }

  @Test
  void aBackendWithOneSlotSendsTheOverflowOfABurstToItsPeerAndNoRequestFails() throws Exception {
    nginx = new ManagedNginxFixture(data);
    long narrow = nginx.create("narrow", narrowBackend.baseUrl(), 1);
    long wide = nginx.create("wide", wideBackend.baseUrl(), 1);
    ConsoleClient.Answer limited = nginx.api.patch("/instances/" + narrow,
        "{\"version\":1,\"max_concurrent\":1,\"queue_size\":0}");
    assertThat(limited.status()).as(limited.body().toString()).isEqualTo(200);
    nginx.awaitHealthy(narrow);
    nginx.awaitHealthy(wide);
    await().atMost(ManagedNginxFixture.PATIENCE).until(() -> {
      String config = nginx.appliedConfig();
      return config != null && config.contains("max_conns=1; # narrow") && config.contains("\"slow\" \"@group_1\";")
          && config.contains("# wide\n");
    });

    ExecutorService clients = Executors.newFixedThreadPool(8);
    List<CompletableFuture<Integer>> burst = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      String question = "burst question " + i;
      burst.add(CompletableFuture.supplyAsync(() -> nginx.chat("slow", question), clients));
    }
    List<Integer> statuses = burst.stream().map(CompletableFuture::join).toList();
    clients.shutdown();

    long toNarrow = narrowBackend.stats().requests();
    long toWide = wideBackend.stats().requests();
    System.out.printf("admission burst: 8 requests, %d to the one-slot backend, %d to its peer, statuses %s%n",
        toNarrow, toWide, statuses);
    assertThat(statuses).as(nginx.errorLogTail()).containsOnly(200);
    assertThat(toNarrow + toWide).isEqualTo(8);
    assertThat(toNarrow).as("one slot: the burst's overflow went to the peer").isLessThanOrEqualTo(2);
  }
}
