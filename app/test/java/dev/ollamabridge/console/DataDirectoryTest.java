package dev.ollamabridge.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ollamabridge.console.store.DataDirectory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The data directory holds secrets: one console at a time, and nobody but its owner may read it. */
class DataDirectoryTest {

  @TempDir Path parent;

  @Test
  void aSecondConsoleOnTheSameDataDirectoryExitsWithOneLineNamingTheFirstsPid() throws Exception {
    Path data = parent.resolve("data");
    try (ConsoleApp first = start(data)) {
      Process second = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "-cp", System.getProperty("java.class.path"), "dev.ollamabridge.Main",
          "console", "--data", data.toString(), "--listen", "127.0.0.1:0", "--nginx-mode", "off")
          .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      assertThat(second.waitFor(60, TimeUnit.SECONDS)).as("the second console gives up at once").isTrue();
      String stderr = new String(second.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);

      assertThat(second.exitValue()).isEqualTo(1);
      assertThat(stderr.strip().lines().filter(line -> !line.isBlank()).toList())
          .singleElement().asString()
          .contains("in use by another console (pid " + ProcessHandle.current().pid() + ")");
      assertThatThrownBy(() -> start(data)).isInstanceOf(DataDirectory.InUse.class);
    }
    try (ConsoleApp next = start(data)) {
      assertThat(next.port()).as("a stopped console lets the next one have the directory").isPositive();
    }
  }

  @Test
  void theDataDirectoryIsOwnerOnlyAndSoIsEveryFileTheConsoleKeepsInIt() throws Exception {
    Path data = Files.createDirectories(parent.resolve("data"));
    Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwxr-xr-x"));
    try (ConsoleApp console = start(data)) {
      ConsoleClient api = new ConsoleClient(console.port(), console.adminToken());
      api.post("/instances", """
          {"name":"cloud","managed":false,"shared_mode":true,"upstream_api_key":"sk-0123456789abcdef"}""");

      assertThat(mode(data)).isEqualTo("rwx------");
      for (String file : List.of("console.db", "console.db-wal", "console.db-shm", "admin-token", "console.lock")) {
        assertThat(mode(data.resolve(file))).as(file).isEqualTo("rw-------");
      }
    }
  }

  @Test
  void aDirectoryOpenToOthersWithFilesNotTheConsolesIsRefusedAndLeftAsItWas() throws Exception {
    Path shared = Files.createDirectories(parent.resolve("shared"));
    Files.writeString(shared.resolve("somebody-elses.txt"), "x");
    Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxrwxrwx"));

    assertThatThrownBy(() -> start(shared)).isInstanceOf(DataDirectory.NotPrivate.class).hasMessageContaining("chmod 700");
    assertThat(mode(shared)).isEqualTo("rwxrwxrwx");
    assertThat(shared.resolve("console.db")).doesNotExist();
  }

  private static ConsoleApp start(Path data) {
    return TestConsoles.start(data);
  }

  private static String mode(Path path) throws Exception {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
  }
}
