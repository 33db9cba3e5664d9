package dev.ollamabridge.console.files;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ollamabridge.console.instances.BridgeLaunch;
import dev.ollamabridge.console.instances.BridgeSecrets;
import dev.ollamabridge.console.instances.Instance;
import dev.ollamabridge.fake.FakeOllama;
import dev.ollamabridge.testing.TestPorts;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Real supervisord, started with the generated supervisor.conf, runs every bridge in it. */
class SupervisordTest {

  /** Keys that a careless quoting would turn into other variables, a refused file or a changed key. */
  private static final String HOSTILE_KEY = "a';INJECTED=pwned;LD_PRELOAD=/x.so;Z='my%here)s%%Key\\#;$HOME`id`";
  private static final List<String> HOSTILE_CLIENT_KEYS = List.of("100%s", "back\\slash\\", "=;#'x");

  @TempDir Path data;

  @Test
  void supervisordRunsEveryProgramAndEachAnswersHealth() throws Exception {
    try (FakeOllama backend = FakeOllama.start(FakeOllama.Options.defaults())) {
      List<Instance> instances = new ArrayList<>();
      for (String name : List.of("one", "two", "three")) {
        instances.add(instance(instances.size() + 1, name, backend.baseUrl(), null, List.of()));
      }
      try (RealSupervisord supervisord = RealSupervisord.start(data, conf(instances, GeneratedFiles.Secrets.REFERENCED), Map.of())) {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
            .until(() -> supervisord.status().lines().filter(line -> line.contains(" RUNNING ")).count() == 3);
        for (Instance instance : instances) {
          await().atMost(Duration.ofSeconds(30)).until(() -> health(instance.port()) == 200);
        }
        assertThat(supervisord.status()).contains("ollama-bridges:ollama-bridge-one", "ollama-bridges:ollama-bridge-two",
            "ollama-bridges:ollama-bridge-three");
      }
      for (Instance instance : instances) {
        assertThat(health(instance.port())).as("the bridges stop with supervisord").isZero();
      }
    }
  }

  @ParameterizedTest(name = "secrets {0}")
  @EnumSource(GeneratedFiles.Secrets.class)
  void everyAcceptedKeyReachesTheBridgeByteForByteAndSetsNoOtherVariable(GeneratedFiles.Secrets secrets) throws Exception {
    assertThat(BridgeSecrets.check(HOSTILE_KEY)).as("the console accepts the key").isTrue();
    assertThat(HOSTILE_CLIENT_KEYS).allMatch(BridgeSecrets::check);
    try (FakeOllama backend = FakeOllama.start(FakeOllama.Options.defaults())) {
      Instance cloud = instance(1, "cloud-1", backend.baseUrl(), HOSTILE_KEY, HOSTILE_CLIENT_KEYS);
      String conf = conf(List.of(cloud), secrets);
      Map<String, String> supervisordEnvironment = secrets == GeneratedFiles.Secrets.CLEAR ? Map.of() : Map.of(
          "OLLAMA_BRIDGE_CLOUD_1_API_KEY", HOSTILE_KEY,
          "OLLAMA_BRIDGE_CLOUD_1_CLIENT_KEYS", String.join(",", HOSTILE_CLIENT_KEYS));
      if (secrets == GeneratedFiles.Secrets.REFERENCED) {
        assertThat(conf).as("no secret in the file").doesNotContain("pwned", "slash");
      }

      try (RealSupervisord supervisord = RealSupervisord.start(data, conf, supervisordEnvironment)) {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
            .until(() -> supervisord.status().contains(" RUNNING "));
        long pid = Long.parseLong(supervisord.ctl("pid", "ollama-bridges:ollama-bridge-cloud-1").strip());
        Map<String, String> environment = RealSupervisord.environmentOf(pid);

        assertThat(environment.get("BRIDGE_API_KEY")).isEqualTo(HOSTILE_KEY);
        assertThat(environment.get("BRIDGE_CLIENT_KEYS")).isEqualTo(String.join(",", HOSTILE_CLIENT_KEYS));
        assertThat(environment).doesNotContainKeys("INJECTED", "LD_PRELOAD", "Z");
      }
    }
  }

  private String conf(List<Instance> instances, GeneratedFiles.Secrets secrets) {
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
    command.addAll(BridgeLaunch.JVM_FLAGS);
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), "dev.ollamabridge.Main"));
    return new GeneratedFiles().supervisor(new Snapshot(instances, GeneratedFilesTest.settings("least_conn"),
        Set.of(), Set.of(), data, command), secrets);
  }

  private Instance instance(long id, String name, String upstream, String apiKey, List<String> clientKeys) throws IOException {
    return new Instance(id, name, "local", "127.0.0.1", TestPorts.listenPort(), upstream, "auto", 1, "primary", 2, 30, true,
        data.resolve("cache/" + name).toString(), apiKey != null, apiKey, clientKeys, 0, true, true, true, List.of(), List.of(), List.of(), 0, 0,
        30_000, 1, Instant.now(), Instant.now());
  }

  private static int health(int port) {
    try (Response response = new OkHttpClient().newCall(
        new Request.Builder().url("http://127.0.0.1:" + port + "/health").build()).execute()) {
      return response.code();
    } catch (IOException e) {
      return 0;
    }
  }

}
