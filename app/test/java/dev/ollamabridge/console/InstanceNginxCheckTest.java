package dev.ollamabridge.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An instance change is tested with {@code nginx -t} before it is kept: a host nginx cannot
 * resolve is refused with nginx's own words, and later changes keep applying.
 */
class InstanceNginxCheckTest {

  @TempDir Path data;

  @Test
  void aHostNginxCannotUseIsA422WithItsOutputAndNothingIsStored() throws Exception {
    try (ManagedNginxFixture nginx = new ManagedNginxFixture(data)) {
      await().atMost(ManagedNginxFixture.PATIENCE).until(() -> nginx.servedRevision() != null);

      ConsoleClient.Answer refused = nginx.api.post("/instances",
          "{\"name\":\"far\",\"managed\":false,\"listen_host\":\"nonexistent-host.invalid\",\"port\":3999}");

      assertThat(refused.status()).isEqualTo(422);
      assertThat(refused.error()).contains("nginx -t refused");
      assertThat(refused.body().path("test_output").asText()).contains("host not found", "nonexistent-host.invalid");
      assertThat(nginx.api.get("/instances").body()).isEmpty();

      String before = nginx.servedRevision();
      ConsoleClient.Answer fine = nginx.api.post("/instances", "{\"name\":\"near\",\"managed\":false,\"port\":3999}");
      assertThat(fine.status()).isEqualTo(201);
      await().atMost(ManagedNginxFixture.PATIENCE).until(() -> !before.equals(nginx.servedRevision()));
      assertThat(nginx.api.get("/nginx/revisions").body().path("revisions").get(0).path("result").asText()).isEqualTo("applied");
    }
  }
}
