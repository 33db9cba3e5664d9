package dev.ollamabridge.console.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ollamabridge.console.ConsoleApp;
import dev.ollamabridge.console.TestConsoles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Where the bridges' class-data archive stands is in {@code GET /api/v1/status} and on the Settings
 * page. A console run from classes, as here, has none to build and says why; the packaged journey
 * (PackagedDemoJourneyTest) follows one from building to ready.
 */
class BridgeArchiveStatusTest {

  private static final OkHttpClient HTTP = new OkHttpClient.Builder().callTimeout(Duration.ofSeconds(30)).build();

  @TempDir Path data;
  private ConsoleApp console;

  @AfterEach
  void stop() {
    if (console != null) {
      console.close();
    }
  }

  @Test
  void theStatusAndTheSettingsPageSayWhyThereIsNoArchiveForBridgesRunFromClasses() throws Exception {
    console = TestConsoles.start(data);
    String token = Files.readString(data.resolve("admin-token")).strip();

    JsonNode archive;
    try (Response status = HTTP.newCall(new Request.Builder().url("http://127.0.0.1:" + console.port() + "/api/v1/status")
        .header("Authorization", "Bearer " + token).build()).execute()) {
      assertThat(status.code()).isEqualTo(200);
      archive = new com.fasterxml.jackson.databind.ObjectMapper().readTree(status.body().string()).path("bridge_archive");
    }
    assertThat(archive.path("state").asText()).isEqualTo("unavailable");
    assertThat(archive.path("reason").asText()).contains("not a jar");
    assertThat(archive.path("attempts").asInt()).isZero();
    assertThat(archive.has("next_attempt")).isTrue();

    Page settings = Browser.loggedIn(console, data).get("/settings");
    assertThat(settings.status()).isEqualTo(200);
    assertThat(settings.body()).contains("The bridges' class-data archive")
        .containsPattern("data-field=\"archive-state\">unavailable<")
        .contains("not a jar");
  }
}
