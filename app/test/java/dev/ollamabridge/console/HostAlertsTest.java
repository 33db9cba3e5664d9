package dev.ollamabridge.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ollamabridge.testing.NetworkHosts;
import dev.ollamabridge.testing.WebhookReceiver;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A host cut off from the console (a network namespace partitioned) fires host_not_ready once its
 * agent has been silent long enough; healed, its next report resolves it.
 */
class HostAlertsTest {

  @TempDir Path data;
  private HostsCluster cluster;
  private final WebhookReceiver receiver = new WebhookReceiver();

  @BeforeAll
  static void needsNamespaces() {
    NetworkHosts.assumeSupported();
  }

  @AfterEach
  void stop() {
    Teardown.run(Teardown.closing(cluster), receiver::close);
  }

  @Test
  void aHostCutOffFiresNotReadyAndItsReturnResolvesIt() throws Exception {
    cluster = HostsCluster.create(data, "h1");
    cluster.joinAll("h1");
    assertThat(cluster.nginx.api.post("/alerts/webhooks", "{\"name\":\"ops\",\"url\":\"" + receiver.url("/hook") + "\"}")
        .status()).isEqualTo(201);

    cluster.net.partition("h1");
    JsonNode firing = await().atMost(HostsCluster.PATIENCE).until(() -> alert("firing"), a -> a != null);
    cluster.net.heal("h1");
    JsonNode resolved = await().atMost(HostsCluster.PATIENCE).until(() -> alert("resolved"), a -> a != null);

    assertThat(firing.path("subject").asText()).isEqualTo("h1");
    assertThat(firing.path("message").asText()).contains("host h1 is NotReady");
    assertThat(resolved.path("message").asText()).contains("host h1 is Ready again");
  }

  private JsonNode alert(String state) {
    return receiver.received().stream().filter(b -> b.path("alert").asText().equals("host_not_ready")
        && b.path("state").asText().equals(state)).findFirst().orElse(null);
  }
}
