package dev.ollamabridge.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The test Redis: answers with its password only, keeps it off the command line, dies and comes back on its port. */
class RedisServerTest {

  @TempDir Path dir;

  @Test
  void answersWithItsPasswordAndKeepsItInAnOwnerOnlyFile() throws Exception {
    try (RedisServer redis = RedisServer.start(dir)) {
      assertThat(redis.url()).isEqualTo("redis://127.0.0.1:" + redis.port());
      assertThat(redis.cli("PING")).isEqualTo("PONG");
      assertThat(redis.cli("CONFIG", "GET", "save")).contains("\"save\"").doesNotContain("3600");

      Path config = dir.resolve("redis-" + redis.port()).resolve(RedisServer.CONFIG_NAME);
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(config))).isEqualTo("rw-------");
      long pid = Long.parseLong(Files.readString(config.resolveSibling("run/redis.pid")).lines().findFirst()
          .orElseThrow().substring(4));
      String commandLine = Files.readString(Path.of("/proc/" + pid + "/cmdline")).replace('\0', ' ');
      assertThat(commandLine).contains("redis-server", RedisServer.CONFIG_NAME).doesNotContain(redis.password());
    }
  }

  @Test
  void killedItIsGoneAndRestartedItAnswersOnTheSamePort() {
    try (RedisServer redis = RedisServer.start(dir)) {
      redis.cli("SET", "k", "v");
      int port = redis.port();

      redis.kill();
      assertThat(redis.running()).isFalse();
      assertThat(redis.cli("PING")).contains("Connection refused");

      redis.restart();
      assertThat(redis.port()).isEqualTo(port);
      assertThat(redis.cli("PING")).isEqualTo("PONG");
      assertThat(redis.cli("GET", "k")).isEqualTo("(nil)"); // nothing was saved
    }
  }

  @Test
  void closedItLeavesNoProcess() {
    RedisServer redis = RedisServer.start(dir);
    redis.close();
    assertThat(redis.running()).isFalse();
    assertThat(ProcessHandle.allProcesses().map(p -> p.info().commandLine().orElse(""))
        .filter(line -> line.contains(dir.toString()))).isEmpty();
  }
}
