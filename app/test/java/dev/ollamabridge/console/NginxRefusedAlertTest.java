package dev.ollamabridge.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ollamabridge.testing.WebhookReceiver;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The console's real nginx refusing a config fires nginx_refused; the next config it applies resolves it. */
class NginxRefusedAlertTest {

  @TempDir Path data;
  private ManagedNginxFixture nginx;
  private final WebhookReceiver receiver = new WebhookReceiver();

  @BeforeEach
  void start() throws Exception {
    nginx = new ManagedNginxFixture(data);
    assertThat(nginx.api.post("/alerts/webhooks", "{\"name\":\"ops\",\"url\":\"" + receiver.url("/hook") + "\"}").status())
        .isEqualTo(201);
  }

  @AfterEach
  void stop() {
    Teardown.run(Teardown.closing(nginx), receiver::close);
  }

  @Test
  void aConfigNginxRejectsFiresAndTheNextAppliedOneResolves() throws Exception {
    Path notACert = Files.writeString(data.resolve("tls/not-a-cert.pem"), "not a certificate\n");
    ConsoleClient.Answer refused = nginx.api.patch("/settings",
        "{\"nginx.tls_cert\":\"%s\",\"nginx.tls_key\":\"%s\"}".formatted(notACert, notACert));
    assertThat(refused.status()).isEqualTo(422);

    JsonNode firing = await().atMost(ManagedNginxFixture.PATIENCE).until(() -> alert("firing"), a -> a != null);
    assertThat(nginx.api.post("/nginx/apply", "").status()).isLessThan(300);
    JsonNode resolved = await().atMost(ManagedNginxFixture.PATIENCE).until(() -> alert("resolved"), a -> a != null);

    assertThat(firing.path("subject").asText()).isEqualTo("console");
    assertThat(firing.path("message").asText()).contains("the console's nginx rejected revision");
    assertThat(resolved.path("message").asText()).contains("the console's nginx applied revision");
  }

  private JsonNode alert(String state) {
    return receiver.received().stream().filter(b -> b.path("alert").asText().equals("nginx_refused")
        && b.path("state").asText().equals(state)).findFirst().orElse(null);
  }
}
