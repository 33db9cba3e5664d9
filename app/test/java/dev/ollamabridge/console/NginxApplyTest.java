package dev.ollamabridge.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ollamabridge.fake.FakeOllama;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The console's own nginx: requests reach the bridges by weight, changes are applied safely, revisions roll back.
 * One console, nginx and three bridges serve the whole class; each test starts from the same weights and
 * settings, with the cluster settled, and finds the revisions it made by what they carry.
 */
class NginxApplyTest {

  /** The weights each test starts from. */
  private static final Map<String, Integer> WEIGHTS = Map.of("a", 1, "b", 1, "c", 3);
  /** Who the console records as the actor of a change made with the admin token. */
  private static final String API_ACTOR = "api:admin";

  @TempDir static Path data;
  private static FakeOllama backend;
  private static ManagedNginxFixture nginx;
  private static long a;
  private static long b;
  private static long c;

  @BeforeAll
  static void start() throws Exception {
    backend = FakeOllama.start(FakeOllama.Options.defaults().withTokens(3));
    nginx = new ManagedNginxFixture(data);
    nginx.api.patch("/settings", "{\"nginx.balance\":\"round_robin\"}");
    a = nginx.create("a", backend.baseUrl(), WEIGHTS.get("a"));
    b = nginx.create("b", backend.baseUrl(), WEIGHTS.get("b"));
    c = nginx.create("c", backend.baseUrl(), WEIGHTS.get("c"));
    for (long id : new long[] {a, b, c}) {
      nginx.awaitHealthy(id);
    }
  }

  /** Puts back what a test changed (weights, settings, a rolled-back configuration) and waits for the settled cluster. */
  @BeforeEach
  void reset() {
    assertThat(nginx.api.patch("/settings", "{\"nginx.balance\":\"round_robin\"}").status()).isEqualTo(200);
    for (long id : new long[] {a, b, c}) {
      JsonNode instance = nginx.api.get("/instances/" + id).body();
      int weight = WEIGHTS.get(instance.path("name").asText());
      if (instance.path("weight").asInt() != weight) {
        ConsoleClient.Answer restored = nginx.api.patch("/instances/" + id,
            "{\"version\":" + instance.path("version").asLong() + ",\"weight\":" + weight + "}");
        assertThat(restored.status()).as(String.valueOf(restored.body())).isEqualTo(200);
      }
    }
    // a rollback leaves nginx serving what the database no longer says: apply what it says
    ConsoleClient.Answer applied = nginx.api.post("/nginx/apply", "");
    assertThat(applied.status()).as(String.valueOf(applied.body())).isEqualTo(200);
    nginx.awaitSettled();
  }

  @AfterAll
  static void stop() {
    try {
      if (nginx != null) {
        nginx.close();
      }
    } finally {
      if (backend != null) {
        backend.close();
      }
    }
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

    long newestBefore = newestRevisionId();
    JsonNode instance = nginx.api.get("/instances/" + a).body();
    assertThat(nginx.api.patch("/instances/" + a, "{\"version\":" + instance.path("version").asLong() + ",\"weight\":3}")
        .status()).isEqualTo(200);
    JsonNode change = await().atMost(ManagedNginxFixture.PATIENCE)
        .until(() -> servedRevisionWith(weight("a", 3)), Optional::isPresent).orElseThrow();

    List<JsonNode> ours = revisionsSince(newestBefore).stream()
        .filter(revision -> revision.path("actor").asText().equals(API_ACTOR)).toList();
    assertThat(ours).as("one change by the API, one apply").hasSize(1);
    assertThat(ours.get(0).path("id").asLong()).isEqualTo(change.path("id").asLong());
    assertThat(ours.get(0).path("result").asText()).isEqualTo("applied");

    long[] mid = counts();
    for (int i = 0; i < 70; i++) {
      assertThat(nginx.chat()).isEqualTo(200);
    }
    long[] second = delta(mid, counts());
    assertThat(second[0]).isBetween(25L, 35L);
    assertThat(second[1]).isBetween(5L, 15L);
    assertThat(second[2]).isBetween(25L, 35L);
    assertThat(nginx.servedRevision()).as("nginx still serves the weight change").isEqualTo(change.path("hash").asText());
  }

  @Test
  void aBodyTooLargeForNginxsMemoryBufferIsSpooledInTheOwnerOnlyDataDirectoryAndStillArrives() {
    String longQuestion = "why ".repeat(50_000);

    assertThat(nginx.chat(longQuestion)).as(nginx.errorLogTail()).isEqualTo(200);
  }

  @Test
  void aConfigurationNginxRejectsLeavesTheOldOneServingAndKeepsTheOutput() throws Exception {
    String serving = nginx.servedRevision();
    Path notACert = Files.writeString(data.resolve("tls/not-a-cert.pem"), "not a certificate\n");
    try {
      ConsoleClient.Answer refused = nginx.api.patch("/settings",
          "{\"nginx.tls_cert\":\"%s\",\"nginx.tls_key\":\"%s\"}".formatted(notACert, notACert));

      assertThat(refused.status()).isEqualTo(422);
      JsonNode revision = refused.body().path("revision");
      assertThat(revision.path("result").asText()).isEqualTo("rejected");
      assertThat(revision.path("test_output").asText()).contains(notACert.toString()).contains("failed");
      assertThat(nginx.servedRevision()).as("the settled cluster's revision still serves").isEqualTo(serving);
      assertThat(nginx.appliedConfig()).as("what nginx serves").isNotNull().doesNotContain(notACert.toString());
      assertThat(nginx.chat()).isEqualTo(200);
      assertThat(nginx.api.get("/settings").body().path("nginx.tls_cert").asText()).as("the settings were not kept").isEmpty();
      JsonNode kept = nginx.api.get("/nginx/revisions/" + revision.path("id").asLong()).body();
      assertThat(kept.path("test_output").asText()).isEqualTo(revision.path("test_output").asText());
      assertThat(kept.path("config").asText()).contains("ssl_certificate " + notACert + ";");
    } finally {
      Files.deleteIfExists(notACert);
    }
  }

  @Test
  void aRevisionCanBeDiffedAndRolledBackTo() {
    JsonNode before = servedRevisionWith(weight("b", 1)).orElseThrow();
    long beforeId = before.path("id").asLong();
    JsonNode instance = nginx.api.get("/instances/" + b).body();
    assertThat(nginx.api.patch("/instances/" + b, "{\"version\":" + instance.path("version").asLong() + ",\"weight\":7}")
        .status()).isEqualTo(200);
    // nginx serves the new revision a moment before the console has recorded it as applied
    long afterId = await().atMost(ManagedNginxFixture.PATIENCE)
        .until(() -> servedRevisionWith(weight("b", 7)), Optional::isPresent).orElseThrow().path("id").asLong();

    String diff = nginx.api.get("/nginx/revisions/" + afterId + "?diff_against=" + beforeId).body().path("diff").asText();
    ConsoleClient.Answer unconfirmed = nginx.api.post("/nginx/revisions/" + beforeId + "/rollback", "");
    ConsoleClient.Answer rolledBack = nginx.api.post("/nginx/revisions/" + beforeId + "/rollback?confirm=true", "");

    List<String> removed = diff.lines().filter(line -> line.startsWith("-        server")).toList();
    List<String> added = diff.lines().filter(line -> line.startsWith("+        server")).toList();
    assertThat(removed).as("the diff of the weight change, not of some other revision").isNotEmpty()
        .allSatisfy(line -> assertThat(line).contains(" weight=1 ").endsWith("# b"));
    assertThat(added).hasSameSizeAs(removed).allSatisfy(line -> assertThat(line).contains(" weight=7 ").endsWith("# b"));
    assertThat(unconfirmed.status()).as("b's weight differs from the instances now").isEqualTo(409);
    assertThat(unconfirmed.body().path("differences").toString()).contains("weight of b 1 instead of 7");
    assertThat(rolledBack.status()).isEqualTo(200);
    assertThat(rolledBack.body().path("hash").asText()).isEqualTo(before.path("hash").asText());
    assertThat(rolledBack.body().path("message").asText()).contains("rollback to revision " + beforeId);
    assertThat(nginx.servedRevision()).isEqualTo(before.path("hash").asText());
  }

  /** Whether a configuration gives the named instance this weight. */
  private static java.util.function.Predicate<String> weight(String name, int weight) {
    return config -> config.lines().anyMatch(line -> line.endsWith("# " + name) && line.contains(" weight=" + weight + " "));
  }

  /** The applied revision nginx serves now, with its text, if its text passes the check. */
  private static Optional<JsonNode> servedRevisionWith(java.util.function.Predicate<String> check) {
    String served = nginx.servedRevision();
    for (JsonNode revision : nginx.api.get("/nginx/revisions").body().path("revisions")) {
      if (revision.path("result").asText().equals("applied") && revision.path("hash").asText().equals(served)) {
        JsonNode full = nginx.api.get("/nginx/revisions/" + revision.path("id").asLong()).body();
        return check.test(full.path("config").asText()) ? Optional.of(full) : Optional.empty();
      }
    }
    return Optional.empty();
  }

  private static long newestRevisionId() {
    JsonNode revisions = nginx.api.get("/nginx/revisions").body().path("revisions");
    return revisions.isEmpty() ? 0 : revisions.get(0).path("id").asLong();
  }

  private static List<JsonNode> revisionsSince(long id) {
    return StreamSupport.stream(nginx.api.get("/nginx/revisions").body().path("revisions").spliterator(), false)
        .filter(revision -> revision.path("id").asLong() > id).toList();
  }

  private long[] counts() {
    return new long[] {ManagedNginxFixture.answered(nginx.port(a)), ManagedNginxFixture.answered(nginx.port(b)),
        ManagedNginxFixture.answered(nginx.port(c))};
  }

  private static long[] delta(long[] before, long[] after) {
    return new long[] {after[0] - before[0], after[1] - before[1], after[2] - before[2]};
  }
}
