package dev.ollamabridge.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ollamabridge.fake.FakeOllama;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The console's own nginx: requests reach the bridges by weight, changes are applied safely, revisions roll back. */
class NginxApplyTest {

  @TempDir Path data;
  private final FakeOllama backend = FakeOllama.start(FakeOllama.Options.defaults().withTokens(3));
  private ManagedNginxFixture nginx;
  private long a;
  private long b;
  private long c;

  @BeforeEach
  void start() throws Exception {
    nginx = new ManagedNginxFixture(data);
    nginx.api.patch("/settings", "{\"nginx.balance\":\"round_robin\"}");
    a = nginx.create("a", backend.baseUrl(), 1);
    b = nginx.create("b", backend.baseUrl(), 1);
    c = nginx.create("c", backend.baseUrl(), 3);
    for (long id : new long[] {a, b, c}) {
      nginx.awaitHealthy(id);
    }
    nginx.awaitServing("a", "b", "c");
  }

  @AfterEach
  void stop() {
    nginx.close();
    backend.close();
  }

  @Test
  void requestsAreSpreadByWeightAndAWeightChangeIsLiveAfterOneReload() {
    long[] before = counts();
    for (int i = 0; i < 100; i++) {
      assertThat(nginx.chat()).isEqualTo(200);
    }
    long[] first = delta(before, counts());
    assertThat(first[0]).isBetween(15L, 25L);
    assertThat(first[1]).isBetween(15L, 25L);
    assertThat(first[2]).isBetween(55L, 65L);

    String oldRevision = nginx.servedRevision();
    JsonNode instance = nginx.api.get("/instances/" + a).body();
    long changedAt = System.nanoTime();
    nginx.api.patch("/instances/" + a, "{\"version\":" + instance.path("version").asLong() + ",\"weight\":3}");
    await().atMost(ManagedNginxFixture.PATIENCE).pollInterval(java.time.Duration.ofMillis(10))
        .until(() -> !oldRevision.equals(nginx.servedRevision()));
    System.out.printf("weight change by API -> nginx serving it: %d ms%n", (System.nanoTime() - changedAt) / 1_000_000);

    long[] mid = counts();
    for (int i = 0; i < 70; i++) {
      assertThat(nginx.chat()).isEqualTo(200);
    }
    long[] second = delta(mid, counts());
    assertThat(second[0]).isBetween(25L, 35L);
    assertThat(second[1]).isBetween(5L, 15L);
    assertThat(second[2]).isBetween(25L, 35L);
    assertThat(nginx.api.get("/nginx/revisions").body().path("revisions").get(0).path("result").asText()).isEqualTo("applied");
  }

  @Test
  void aBodyTooLargeForNginxsMemoryBufferIsSpooledInTheOwnerOnlyDataDirectoryAndStillArrives() {
    String longQuestion = "why ".repeat(50_000);

    assertThat(nginx.chat(longQuestion)).as(nginx.errorLogTail()).isEqualTo(200);
  }

  @Test
  void aConfigurationNginxRejectsLeavesTheOldOneServingAndKeepsTheOutput() throws Exception {
    String serving = nginx.servedRevision();
    Path notACert = java.nio.file.Files.writeString(data.resolve("tls/cert.pem"), "not a certificate\n");

    ConsoleClient.Answer refused = nginx.api.patch("/settings",
        "{\"nginx.tls_cert\":\"%s\",\"nginx.tls_key\":\"%s\"}".formatted(notACert, notACert));

    assertThat(refused.status()).isEqualTo(422);
    JsonNode revision = refused.body().path("revision");
    assertThat(revision.path("result").asText()).isEqualTo("rejected");
    assertThat(revision.path("test_output").asText()).contains(notACert.toString()).contains("failed");
    assertThat(nginx.servedRevision()).isEqualTo(serving);
    assertThat(nginx.chat()).isEqualTo(200);
    assertThat(nginx.api.get("/settings").body().path("nginx.tls_cert").asText()).as("the settings were not kept").isEmpty();
    JsonNode kept = nginx.api.get("/nginx/revisions/" + revision.path("id").asLong()).body();
    assertThat(kept.path("test_output").asText()).isEqualTo(revision.path("test_output").asText());
  }

  @Test
  void aRevisionCanBeDiffedAndRolledBackTo() {
    String before = nginx.servedRevision();
    long beforeId = revisionServing(before);
    JsonNode instance = nginx.api.get("/instances/" + b).body();
    nginx.api.patch("/instances/" + b, "{\"version\":" + instance.path("version").asLong() + ",\"weight\":7}");
    // nginx serves the new revision a moment before the console has recorded it as applied
    await().atMost(ManagedNginxFixture.PATIENCE).until(() -> !before.equals(nginx.servedRevision())
        && appliedRevision(nginx.servedRevision()) != null);
    long afterId = revisionServing(nginx.servedRevision());

    String diff = nginx.api.get("/nginx/revisions/" + afterId + "?diff_against=" + beforeId).body().path("diff").asText();
    ConsoleClient.Answer rolledBack = nginx.api.post("/nginx/revisions/" + beforeId + "/rollback", "");

    assertThat(diff).contains("-        server").contains("weight=1").contains("+        server").contains("weight=7");
    assertThat(rolledBack.status()).isEqualTo(200);
    assertThat(rolledBack.body().path("hash").asText()).isEqualTo(before);
    assertThat(rolledBack.body().path("message").asText()).contains("rollback to revision " + beforeId);
    assertThat(nginx.servedRevision()).isEqualTo(before);
  }

  private long revisionServing(String hash) {
    Long id = appliedRevision(hash);
    if (id == null) {
      throw new AssertionError("no applied revision " + hash);
    }
    return id;
  }

  private Long appliedRevision(String hash) {
    for (JsonNode revision : nginx.api.get("/nginx/revisions").body().path("revisions")) {
      if (revision.path("hash").asText().equals(hash) && revision.path("result").asText().equals("applied")) {
        return revision.path("id").asLong();
      }
    }
    return null;
  }

  private long[] counts() {
    return new long[] {ManagedNginxFixture.answered(nginx.port(a)), ManagedNginxFixture.answered(nginx.port(b)),
        ManagedNginxFixture.answered(nginx.port(c))};
  }

  private static long[] delta(long[] before, long[] after) {
    return new long[] {after[0] - before[0], after[1] - before[1], after[2] - before[2]};
  }
}
