package dev.ollamabridge.console;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ollamabridge.testing.TestPorts;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The consoles tests start run their bridges as the suite expects: on the java running the tests, and
 * on ports from this JVM's {@code first_port}, which another suite on the machine is unlikely to share.
 */
class TestConsolesTest {

  @TempDir Path data;

  @Test
  void aTestConsolesBridgesRunOnThisJavaAndTakeTheirPortsFromThisJvmsFirstPort() {
    try (ConsoleApp console = TestConsoles.start(data)) {
      ConsoleClient api = TestConsoles.client(console, data);

      JsonNode settings = api.get("/settings").body();
      JsonNode created = api.post("/instances", "{\"name\":\"edge\",\"managed\":false}").body();

      assertThat(TestPorts.firstPort()).isBetween(20_000, 28_999);
      assertThat(settings.path("first_port").asInt()).isEqualTo(TestPorts.firstPort());
      assertThat(created.path("port").asInt()).isBetween(TestPorts.firstPort(), TestPorts.firstPort() + 999);
      assertThat(settings.path("bridge.java").asText()).isEqualTo(TestConsoles.THIS_JAVA);
      assertThat(api.get("/status").body().at("/bridge_java/feature").asInt()).isEqualTo(Runtime.version().feature());
    }
  }
}
