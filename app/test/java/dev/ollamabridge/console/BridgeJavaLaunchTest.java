package dev.ollamabridge.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ollamabridge.cli.HostPort;
import dev.ollamabridge.console.instances.BridgeLaunch;
import dev.ollamabridge.console.jdk.FakeJdks;
import dev.ollamabridge.console.settings.Setting;
import dev.ollamabridge.fake.FakeOllama;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The java bridge.java chose is the one the console launches bridges on, shows, and writes into supervisor.conf. */
class BridgeJavaLaunchTest {

  @TempDir Path data;
  @TempDir Path jdks;
  private final FakeOllama backend = FakeOllama.start(FakeOllama.Options.defaults().withTokens(4));
  private ConsoleApp console;
  private ConsoleClient api;

  @AfterEach
  void stop() {
    if (console != null) {
      for (JsonNode instance : api.get("/instances").body()) {
        api.delete("/instances/" + instance.path("id").asLong() + "?version=" + instance.path("version").asLong());
      }
      console.close();
    }
    backend.close();
  }

  @Test
  void aManagedBridgeRunsOnTheJavaTheOperatorNamedAndTheApiAndSupervisorConfSayWhich() throws Exception {
    Path home = jdks.resolve("jdk-23");
    Path java = FakeJdks.wrappingThisJvm(home, "23.0.1");
    console = TestConsoles.start(TestConsoles.offline(data).withOperator(Setting.BRIDGE_JAVA, java.toString()), data);
    api = new ConsoleClient(console.port(), console.adminToken());

    ConsoleClient.Answer created = api.post("/instances", "{\"name\":\"on-23\",\"upstream_url\":\"" + backend.baseUrl() + "\"}");
    long id = created.body().path("id").asLong();
    await().atMost(Duration.ofSeconds(60))
        .until(() -> api.get("/instances/" + id).body().at("/process/state").asText().equals("RUNNING"));

    assertThat(FakeJdks.launches(home)).as("the bridge was launched through the named java").containsExactly(java.toString());
    JsonNode bridgeJava = api.get("/status").body().path("bridge_java");
    assertThat(bridgeJava.path("setting").asText()).isEqualTo(java.toString());
    assertThat(bridgeJava.path("path").asText()).isEqualTo(java.toString());
    assertThat(bridgeJava.path("version").asText()).isEqualTo("23.0.1");
    assertThat(bridgeJava.path("feature").asInt()).isEqualTo(23);
    assertThat(api.get("/settings").body().path("bridge.java").asText()).isEqualTo(java.toString());
    ConsoleClient.Text supervisorConf = api.text("/exports/supervisor.conf");
    assertThat(supervisorConf.body()).contains("command=" + java + " " + String.join(" ", BridgeLaunch.JVM_FLAGS));
  }

  @Test
  void onAutoTheStatusShowsTheJavaFoundWithItsVersion() {
    console = ConsoleApp.start(new ConsoleConfig(data, new HostPort("127.0.0.1", 0), false, "off", null));
    api = new ConsoleClient(console.port(), console.adminToken());

    JsonNode bridgeJava = api.get("/status").body().path("bridge_java");

    assertThat(bridgeJava.path("setting").asText()).isEqualTo("auto");
    assertThat(Path.of(bridgeJava.path("path").asText())).isExecutable();
    assertThat(bridgeJava.path("version").asText()).startsWith(bridgeJava.path("feature").asText());
    assertThat(bridgeJava.path("reason").asText()).isNotBlank();
  }
}
