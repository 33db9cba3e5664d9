package dev.ollamabridge.console.supervise;

import static dev.ollamabridge.console.supervise.ProcessState.RUNNING;
import static dev.ollamabridge.console.supervise.SupervisorTest.awaitState;
import static dev.ollamabridge.console.supervise.TestPrograms.shell;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** What the supervisor keeps (pid files, logs and their backups) is readable by its owner only. */
class OwnerOnlyFilesTest {

  @TempDir
  Path dir;

  @RegisterExtension
  final Supervisors supervisors = new Supervisors();

  @Test
  void theRunAndLogDirectoriesAreOwnerOnlyAndSoAreThePidFileAndTheLog() {
    Supervisor supervisor = supervisors.open(dir.resolve("run"), dir.resolve("logs"), TestPrograms.quickPolicy());

    supervisor.start(shell("talker", dir, "echo hello; exec sleep 60"));
    awaitState(supervisor, "talker", RUNNING);

    assertThat(mode(dir.resolve("run"))).isEqualTo("rwx------");
    assertThat(mode(dir.resolve("logs"))).isEqualTo("rwx------");
    assertThat(mode(dir.resolve("run").resolve("talker.pid"))).isEqualTo("rw-------");
    assertThat(mode(supervisor.logFile("talker"))).isEqualTo("rw-------");
  }

  @Test
  void directoriesAndALogThatAnEarlierVersionLeftReadableByAllAreTightened() throws IOException {
    Path logs = Files.createDirectories(dir.resolve("logs"), PosixFilePermissions.asFileAttribute(
        PosixFilePermissions.fromString("rwxr-xr-x")));
    Path log = Files.createFile(logs.resolve("talker.log"), PosixFilePermissions.asFileAttribute(
        PosixFilePermissions.fromString("rw-r--r--")));
    Supervisor supervisor = supervisors.open(dir.resolve("run"), logs, TestPrograms.quickPolicy());

    supervisor.start(shell("talker", dir, "echo hello; exec sleep 60"));
    awaitState(supervisor, "talker", RUNNING);

    assertThat(mode(logs)).isEqualTo("rwx------");
    assertThat(mode(log)).isEqualTo("rw-------");
  }

  @Test
  void rotatedLogsAreOwnerOnly() {
    SupervisePolicy smallLogs = new SupervisePolicy(Duration.ofMillis(500), 2, Duration.ofMillis(50),
        Duration.ofMillis(200), true, Duration.ofSeconds(1), 200, 2);
    Supervisor supervisor = supervisors.open(dir.resolve("run"), dir.resolve("logs"), smallLogs);
    Path older = Path.of(supervisor.logFile("counter") + ".2");
    supervisor.start(shell("counter", dir, "while true; do echo a line of some length; sleep 0.01; done"));

    // tail() rotates when due
    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
        .until(() -> !supervisor.tail("counter", 1).isEmpty() && Files.exists(older));

    assertThat(mode(Path.of(supervisor.logFile("counter") + ".1"))).isEqualTo("rw-------");
    assertThat(mode(older)).isEqualTo("rw-------");
  }

  private static String mode(Path path) {
    try {
      return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
