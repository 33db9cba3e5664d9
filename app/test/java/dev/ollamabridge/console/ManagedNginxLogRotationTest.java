package dev.ollamabridge.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ollamabridge.console.nginx.NginxLogRotation;
import dev.ollamabridge.console.nginx.NginxSetup;
import dev.ollamabridge.testing.NginxLogFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The console's managed nginx, real nginx: its access log and JSON request log past the limit are moved
 * to {@code NAME.1} by the rotation the console runs (quicker and smaller here), nginx writes the next
 * request to new files, both owner-only; the answers log, which {@code NginxAnswers} reads and rotates
 * itself, is left alone.
 */
class ManagedNginxLogRotationTest {

  private static final int LIMIT = 64 * 1024;

  @TempDir Path data;
  private ManagedNginxFixture nginx;

  @AfterEach
  void stop() {
    Teardown.run(Teardown.closing(nginx));
  }

  @Test
  void logsPastTheLimitAreRotatedAndNginxWritesTheNextRequestToNewFiles() throws Exception {
    nginx = new ManagedNginxFixture(data);
    await().atMost(ManagedNginxFixture.PATIENCE).until(() -> nginx.servedRevision() != null);
    Path logs = data.resolve("nginx/logs");
    nginx.chatTagged("before"); // no bridge: nginx answers itself, and logs it in all three
    await().atMost(ManagedNginxFixture.PATIENCE).until(() -> Files.exists(logs.resolve("answers.jsonl")));
    for (String name : new String[] {"access.log", "requests.jsonl", "answers.jsonl"}) {
      NginxLogFiles.grow(logs.resolve(name), 2 * LIMIT, 'x');
    }

    try (NginxLogRotation rotation = NginxSetup.logRotation("managed", data.resolve("nginx"), () -> LIMIT,
        Duration.ofMillis(200)).orElseThrow()) {
      await().atMost(ManagedNginxFixture.PATIENCE).until(() -> Files.exists(logs.resolve("requests.jsonl.1"))
          && Files.exists(logs.resolve("access.log.1")));
      String tag = NginxLogFiles.awaitNextRequestIn(logs.resolve("requests.jsonl"), nginx::chatTagged,
          ManagedNginxFixture.PATIENCE);

      await().atMost(ManagedNginxFixture.PATIENCE).until(() -> Files.readString(logs.resolve("access.log")).contains(tag));
      for (String name : new String[] {"access.log", "requests.jsonl"}) {
        assertThat(Files.readString(logs.resolve(name + ".1"))).as(name + ".1").contains("x".repeat(99))
            .doesNotContain(tag);
        assertThat(Files.size(logs.resolve(name))).as(name).isLessThan(LIMIT);
        assertThat(NginxLogFiles.permissions(logs.resolve(name))).as(name).isEqualTo("rw-------");
        assertThat(NginxLogFiles.permissions(logs.resolve(name + ".1"))).as(name + ".1").isEqualTo("rw-------");
      }
      assertThat(logs.resolve("answers.jsonl.1")).as("the answers log is NginxAnswers' to rotate").doesNotExist();
      assertThat(Files.size(logs.resolve("answers.jsonl"))).isGreaterThan(LIMIT);
    }
  }

  @Test
  void aSystemNginxsLogsAreTheSystemsToRotate() {
    assertThat(NginxSetup.logRotation("system", data.resolve("nginx"), () -> LIMIT, Duration.ofMillis(200))).isEmpty();
    assertThat(NginxSetup.logRotation("off", data.resolve("nginx"), () -> LIMIT, Duration.ofMillis(200))).isEmpty();
  }
}
