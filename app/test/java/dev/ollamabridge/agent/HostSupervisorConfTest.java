package dev.ollamabridge.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ollamabridge.console.files.RealSupervisord;
import dev.ollamabridge.console.instances.SelfCommand;
import dev.ollamabridge.console.supervise.SupervisePolicy;
import dev.ollamabridge.fake.FakeOllama;
import dev.ollamabridge.link.BridgeSpec;
import dev.ollamabridge.link.Desired;
import dev.ollamabridge.link.KeyRules;
import dev.ollamabridge.testing.TestPorts;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The supervisor.conf an agent answers with runs the host's bridges under a real supervisord: this host's
 * java, jar and data directory, the secrets taken from supervisord's environment, a bridge that is not
 * to run left stopped.
 */
class HostSupervisorConfTest {

  @TempDir Path data;

  @Test
  void aRealSupervisordRunsTheHostsBridgesFromIt() throws Exception {
    try (FakeOllama backend = FakeOllama.start(FakeOllama.Options.defaults().withRequireKey("sk-upstream"))) {
      int port = TestPorts.listenPort();
      int idlePort = TestPorts.listenPort();
      Desired desired = new Desired("gpu-1", 1, List.of(
          new BridgeSpec("chat", List.of("-l", "127.0.0.1:" + port, "--ollama", backend.baseUrl()),
              Map.of("BRIDGE_API_KEY", "sk-upstream"), "127.0.0.1", port, true, true),
          new BridgeSpec("idle", List.of("-l", "127.0.0.1:" + idlePort, "--ollama", backend.baseUrl()), Map.of(),
              "127.0.0.1", idlePort, false, false)));
      BridgePrograms programs = new BridgePrograms(SelfCommand.current(), data);
      String conf = new HostSupervisorConf(programs, SupervisePolicy.defaults()).render(desired);
      // the client keys the agent keeps for its bridges, which the exported bridges watch as well
      Files.writeString(programs.keysFile(), new ObjectMapper().writeValueAsString(KeyRules.OPEN));
      assertThat(conf).doesNotContain("sk-upstream").contains("OLLAMA_BRIDGE_CHAT_API_KEY");

      try (RealSupervisord supervisord = RealSupervisord.start(data, conf,
          Map.of("OLLAMA_BRIDGE_CHAT_API_KEY", "sk-upstream"))) {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
            .until(() -> supervisord.status().contains("ollama-bridge-chat") && supervisord.status().lines()
                .anyMatch(line -> line.contains("ollama-bridge-chat") && line.contains(" RUNNING ")));
        await().atMost(Duration.ofSeconds(30)).until(() -> status("http://127.0.0.1:" + port + "/api/tags") == 200);
        assertThat(supervisord.status().lines().filter(line -> line.contains("ollama-bridge-idle")))
            .singleElement().asString().contains("STOPPED");
      }
    }
  }

  private static int status(String url) {
    try {
      HttpURLConnection connection = (HttpURLConnection) URI.create(url).toURL().openConnection();
      connection.setConnectTimeout(2000);
      connection.setReadTimeout(5000);
      return connection.getResponseCode();
    } catch (Exception e) {
      return 0;
    }
  }
}
