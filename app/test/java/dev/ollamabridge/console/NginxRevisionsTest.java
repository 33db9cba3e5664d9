package dev.ollamabridge.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ollamabridge.console.web.Browser;
import dev.ollamabridge.console.web.Page;
import dev.ollamabridge.fake.FakeOllama;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The revisions of the console's nginx as operators read them: no revision without a change, each
 * with its cause, the automatic ones hidden on request, and a rollback that says what it would undo
 * before it is applied and, once it is, that nginx serves it until the next apply. One console,
 * nginx and two bridges serve the class; each test finds the revisions it made by what they carry.
 */
class NginxRevisionsTest {

  private static final String API_ACTOR = "api:admin";

  @TempDir static Path data;
  private static final OkHttpClient HTTP = new OkHttpClient();
  private static FakeOllama backend;
  private static ManagedNginxFixture nginx;
  private static long b;

  @BeforeAll
  static void start() throws Exception {
    backend = FakeOllama.start(FakeOllama.Options.defaults().withTokens(3).withControlRoutes(true));
    nginx = new ManagedNginxFixture(data);
    b = nginx.createSettled(backend.baseUrl(), "a", "b")[1];
  }

  /** b's weight back to 1, and nginx serving what the database says, settled. */
  @BeforeEach
  void reset() {
    JsonNode instance = nginx.api.get("/instances/" + b).body();
    if (instance.path("weight").asInt() != 1) {
      assertThat(nginx.api.patch("/instances/" + b, "{\"version\":" + instance.path("version").asLong() + ",\"weight\":1}")
          .status()).isEqualTo(200);
    }
    assertThat(nginx.api.post("/nginx/apply", "").status()).isEqualTo(200);
    nginx.awaitSettled();
  }

  @AfterAll
  static void stop() {
    Teardown.run(Teardown.closing(nginx), Teardown.closing(backend));
  }

  @Test
  void applyWithNothingChangedMakesNoRevisionAndSaysOnlyNoChanges() {
    JsonNode served = nginx.newestApplied().orElseThrow();

    ConsoleClient.Answer api = nginx.api.post("/nginx/apply", "");
    Browser browser = Browser.loggedIn(nginx.console, data);
    browser.get("/nginx");
    Page web = browser.post("/nginx/apply", Map.of());
    Page after = browser.get(web.location());

    assertThat(api.status()).isEqualTo(200);
    assertThat(api.body().path("changed").asBoolean()).isFalse();
    assertThat(api.body().path("id").asLong()).isEqualTo(served.path("id").asLong());
    assertThat(web.status()).isEqualTo(303);
    assertThat(after.body()).contains("No changes").doesNotContain(" applied: nginx serves it");
    assertThat(newestId()).as("no new revision").isEqualTo(served.path("id").asLong());
  }

  @Test
  void everyRevisionSaysItsCauseAndTheListCanHideTheAutomaticOnes() {
    long since = newestId();
    JsonNode instance = nginx.api.get("/instances/" + b).body();
    assertThat(nginx.api.patch("/instances/" + b, "{\"version\":" + instance.path("version").asLong() + ",\"weight\":7}")
        .status()).isEqualTo(200);
    JsonNode weight = await().atMost(ManagedNginxFixture.PATIENCE).until(() -> revisionSince(since,
        "weight b 1→7 by " + API_ACTOR), Optional::isPresent).orElseThrow();
    assertThat(weight.path("automatic").asBoolean()).isFalse();
    assertThat(weight.path("actor").asText()).isEqualTo(API_ACTOR);

    assertThat(nginx.api.post("/instances/" + b + "/stop", "").status()).isEqualTo(200);
    assertThat(revisionSince(since, "stop b by " + API_ACTOR)).isPresent();
    assertThat(nginx.api.post("/instances/" + b + "/start", "").status()).isEqualTo(200);
    JsonNode up = await().atMost(ManagedNginxFixture.PATIENCE).until(() -> revisionSince(since, "health: b up"),
        Optional::isPresent).orElseThrow();
    assertThat(up.path("automatic").asBoolean()).isTrue();
    assertThat(revisions("?automatic=false")).as("the list without the automatic ones")
        .noneMatch(revision -> revision.path("automatic").asBoolean())
        .anyMatch(revision -> revision.path("id").asLong() == weight.path("id").asLong());
    assertThat(nginx.api.get("/nginx/revisions?automatic=maybe").status()).isEqualTo(400);

    Browser browser = Browser.loggedIn(nginx.console, data);
    String all = browser.get("/nginx").body();
    String manual = browser.get("/nginx?automatic=hide").body();
    String upRow = "<tr id=\"revision-" + up.path("id").asLong() + "\"";
    assertThat(all).contains("weight b 1→7 by " + API_ACTOR, "stop b by " + API_ACTOR, "health: b up", upRow);
    assertThat(manual).contains("weight b 1→7 by " + API_ACTOR, "stop b by " + API_ACTOR).doesNotContain(upRow);
    assertThat(revisions("").stream().filter(revision -> revision.path("id").asLong() > since))
        .as("every revision has its cause").allSatisfy(revision -> assertThat(revision.path("cause").asText()).isNotBlank());
  }

  @Test
  void aRollbackThatNoLongerMatchesTheInstancesSaysHowAndWaitsForConfirmation() throws Exception {
    long withC = nginx.revisionOfARemovedInstance("c", backend.baseUrl());
    JsonNode instance = nginx.api.get("/instances/" + b).body();
    assertThat(nginx.api.patch("/instances/" + b, "{\"version\":" + instance.path("version").asLong() + ",\"weight\":7}")
        .status()).isEqualTo(200);
    nginx.awaitSettled();
    String servedBefore = nginx.servedRevision();

    ConsoleClient.Answer refused = nginx.api.post("/nginx/revisions/" + withC + "/rollback", "");
    Browser browser = Browser.loggedIn(nginx.console, data);
    String page = browser.get("/nginx/revisions/" + withC).body();

    assertThat(refused.status()).as(String.valueOf(refused.body())).isEqualTo(409);
    assertThat(refused.body().path("field").asText()).isEqualTo("confirm");
    List<String> differences = texts(refused.body().path("differences"));
    assertThat(differences).anyMatch(text -> text.contains("brings back c")).anyMatch(text -> text.contains("weight")
        && text.contains("b") && text.contains("7") && text.contains("1"));
    assertThat(nginx.servedRevision()).as("nothing was applied").isEqualTo(servedBefore);
    assertThat(page).contains("brings back c", "name=\"confirm\"");
    Page unconfirmed = browser.post("/nginx/revisions/" + withC + "/rollback", Map.of());
    assertThat(unconfirmed.status()).as("the list's Rollback button, without the confirmation").isEqualTo(409);
    assertThat(unconfirmed.body()).contains("brings back c", "Roll back anyway");
    assertThat(nginx.servedRevision()).as("nothing was applied").isEqualTo(servedBefore);

    ConsoleClient.Answer rolledBack = nginx.api.post("/nginx/revisions/" + withC + "/rollback?confirm=true", "");
    assertThat(rolledBack.status()).as(String.valueOf(rolledBack.body())).isEqualTo(200);
    long rollback = rolledBack.body().path("id").asLong();
    assertThat(rolledBack.body().path("rollback_to").asLong()).isEqualTo(withC);
    assertThat(rolledBack.body().path("cause").asText()).isEqualTo("rollback to " + withC + " by " + API_ACTOR);
    assertThat(browser.get("/nginx").body()).contains("rolled back to revision " + withC);
    assertThat(browser.post("/instances/live", java.util.Map.of()).body()).contains("rollback to revision " + withC);

    // the next automatic apply: the backend goes down, so do the bridges' health checks, and nginx is
    // applied again (it stays down until then: a killed bridge could be back before its checks fail)
    backendDown(true);
    await().atMost(ManagedNginxFixture.PATIENCE).untilAsserted(() -> assertThat(replacements())
        .anyMatch(event -> event.path("detail").asText().contains("replaced the rollback to revision " + withC)));
    backendDown(false);
    nginx.awaitHealthy(b);
    nginx.awaitSettled();
    assertThat(nginx.newestApplied().orElseThrow().path("id").asLong()).isGreaterThan(rollback);
    assertThat(browser.get("/nginx").body()).doesNotContain("rolled back to revision " + withC);
  }

  /** Takes the backend down (its every answer a 503), or brings it back, through the fake's fault hook. */
  private static void backendDown(boolean down) throws IOException {
    Request request = new Request.Builder().url(backend.baseUrl() + "/_fake/faults")
        .post(RequestBody.create("{\"down\":" + down + "}", MediaType.get("application/json"))).build();
    try (Response changed = HTTP.newCall(request).execute()) {
      assertThat(changed.code()).as("the fake's fault hook").isEqualTo(200);
    }
  }

  private static long newestId() {
    JsonNode revisions = nginx.api.get("/nginx/revisions").body().path("revisions");
    return revisions.isEmpty() ? 0 : revisions.get(0).path("id").asLong();
  }

  private static List<JsonNode> revisions(String query) {
    List<JsonNode> all = new ArrayList<>();
    nginx.api.get("/nginx/revisions" + query).body().path("revisions").forEach(all::add);
    return all;
  }

  /** The revision newer than {@code since} whose cause is this one. */
  private static Optional<JsonNode> revisionSince(long since, String cause) {
    return revisions("").stream().filter(revision -> revision.path("id").asLong() > since)
        .filter(revision -> revision.path("cause").asText().contains(cause)).findFirst();
  }

  /** The events that say an apply replaced a rollback. */
  private static List<JsonNode> replacements() {
    List<JsonNode> events = new ArrayList<>();
    nginx.api.get("/events?target=nginx").body().path("events").forEach(event -> {
      if (event.path("action").asText().equals("nginx.rollback_replaced")) {
        events.add(event);
      }
    });
    return events;
  }

  private static List<String> texts(JsonNode array) {
    List<String> texts = new ArrayList<>();
    array.forEach(node -> texts.add(node.asText()));
    return texts;
  }
}
