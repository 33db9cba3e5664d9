package dev.ollamabridge.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ollamabridge.fake.FakeOllama;
import dev.ollamabridge.files.OpenToOthers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Nothing under the data directory is open to anybody but its owner: not what the console writes,
 * nor what nginx and the bridges write there, nor what nginx creates later, as a log reopened after
 * a rotation.
 */
class OwnerOnlyDataTest {

  @TempDir Path data;

  @Test
  void everyFileAndDirectoryUnderTheDataDirectoryIsTheOwnersOnlyWhileNginxAndABridgeServe() throws Exception {
    try (FakeOllama backend = FakeOllama.start(FakeOllama.Options.defaults());
        ManagedNginxFixture nginx = new ManagedNginxFixture(data)) {
      ConsoleClient.Answer created = nginx.api.post("/instances",
          "{\"name\":\"a\",\"upstream_url\":\"%s\",\"cache_enabled\":true}".formatted(backend.baseUrl()));
      assertThat(created.status()).as(String.valueOf(created.body())).isEqualTo(201);
      nginx.awaitHealthy(created.body().path("id").asLong());
      nginx.awaitServing("a");
      assertThat(nginx.chat()).isEqualTo(200);
      assertThat(nginx.chat()).as("the second answer comes from the bridge's cache").isEqualTo(200);
      await().atMost(ManagedNginxFixture.PATIENCE).until(() -> Files.size(data.resolve("nginx/logs/access.log")) > 0);

      // a rotation as logrotate does it: move the log away, then have the master reopen its logs
      Path log = data.resolve("nginx/logs/access.log");
      Files.move(log, data.resolve("nginx/logs/access.log.1"));
      String master = Files.readString(data.resolve("nginx/nginx.pid")).strip();
      Process reopen = new ProcessBuilder("kill", "-USR1", master).start();
      assertThat(reopen.waitFor(30, TimeUnit.SECONDS) && reopen.exitValue() == 0).as("nginx was told to reopen").isTrue();
      await().atMost(ManagedNginxFixture.PATIENCE).until(() -> Files.exists(log));
      assertThat(nginx.chat()).isEqualTo(200);

      assertThat(OpenToOthers.under(data)).as("open to others under " + data).isEmpty();
    }
  }

  @Test
  void aPrefixAnEarlierConsoleLeftOpenToOthersIsTightenedAtStart() throws Exception {
    Path logs = Files.createDirectories(data.resolve("nginx/logs"));
    Files.setPosixFilePermissions(data.resolve("nginx"), PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.setPosixFilePermissions(logs, PosixFilePermissions.fromString("rwxr-xr-x"));
    Path log = Files.writeString(logs.resolve("access.log"), "127.0.0.1 [then] \"POST /api/chat HTTP/1.1\" 200\n");
    Files.setPosixFilePermissions(log, PosixFilePermissions.fromString("rw-r--r--"));

    try (ManagedNginxFixture nginx = new ManagedNginxFixture(data)) {
      assertThat(OpenToOthers.under(data)).as("open to others under " + data).isEmpty();
    }
  }
}
