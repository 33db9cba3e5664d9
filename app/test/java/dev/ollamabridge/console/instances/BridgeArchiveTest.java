package dev.ollamabridge.console.instances;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ollamabridge.console.jdk.FakeJdks;
import dev.ollamabridge.files.OwnerOnly;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which archive the bridges share: one per jar and JDK, named so that a stale one is never mapped. */
class BridgeArchiveTest {

  @TempDir Path data;

  static String runningJava() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  private BridgeArchive archive(Path jar, String version, int feature) {
    return BridgeArchive.of(new SelfCommand(runningJava(), List.of("-jar", jar.toString())), version, feature,
        data.resolve("run"), data.resolve("logs")).orElseThrow();
  }

  /** The archive as a training run leaves it. */
  private static void written(BridgeArchive archive) throws IOException {
    Files.createDirectories(archive.file().getParent());
    Files.writeString(archive.file(), "archived classes");
  }

  @Test
  void classPathsOfDirectoriesCannotBeArchived() {
    SelfCommand fromClasses = new SelfCommand(runningJava(), List.of("-cp", "/src/target/classes", "dev.ollamabridge.Main"));

    assertThat(BridgeArchive.of(fromClasses, "25.0.1", 25, data.resolve("run"), data.resolve("logs"))).isEmpty();
  }

  @Test
  void anAotCacheFromJdk25OnAClassDataArchiveBefore() throws Exception {
    Path jar = Files.writeString(data.resolve("ollama-bridge.jar"), "classes");
    BridgeArchive aot = archive(jar, "25.0.1", 25);
    BridgeArchive cds = archive(jar, "17.0.15", 17);
    written(aot);
    written(cds);

    assertThat(aot.file().getFileName().toString()).startsWith("bridges-25-").endsWith(".aot");
    assertThat(aot.flags()).endsWith("-XX:AOTCache=" + aot.file()).contains("-XX:ArchiveRelocationMode=0");
    assertThat(cds.file().getFileName().toString()).startsWith("bridges-17-").endsWith(".jsa");
    assertThat(cds.flags()).contains("-XX:SharedArchiveFile=" + cds.file());
  }

  @Test
  void anArchiveAnEarlierConsoleLeftReadableByAllIsMadeTheOwnersOnly() throws Exception {
    Path jar = Files.writeString(data.resolve("ollama-bridge.jar"), "classes");
    BridgeArchive archive = archive(jar, "25.0.1", 25);
    written(archive);
    Files.setPosixFilePermissions(archive.file(), PosixFilePermissions.fromString("rw-r--r--"));

    archive.prepare();

    assertThat(Files.getPosixFilePermissions(archive.file())).isEqualTo(OwnerOnly.FILE);
  }

  @Test
  void aTrainingThatFailsSaysWhyAndIsTriedAgainAfterABackoff() throws Exception {
    Path jar = Files.writeString(data.resolve("ollama-bridge.jar"), "classes");
    Path java = FakeJdks.failingFirst(data.resolve("jdk"), "25.0.1", 1000, "Error: this java cannot start here",
        runningJava());
    BridgeArchive archive = BridgeArchive.of(new SelfCommand(java.toString(), List.of("-jar", jar.toString())), "25.0.1",
        25, data.resolve("run"), data.resolve("logs"), Duration.ofMillis(200), Duration.ofMillis(400)).orElseThrow();
    try {
      assertThat(archive.status().state()).isEqualTo("not built");

      archive.prepare();

      BridgeArchive.Status failed = await().atMost(Duration.ofSeconds(60))
          .until(archive::status, status -> status.state().equals("failed") && status.attempts() >= 2);
      assertThat(failed.reason()).contains("the training's fake backend ended without saying where it listens")
          .contains("(exit 1)").contains("Error: this java cannot start here");
      assertThat(failed.nextAttempt()).isAfter(failed.since());
      assertThat(failed.file()).isEqualTo(archive.file().toString());
      assertThat(Files.readString(data.resolve("logs/bridge-archive.log"))).contains("Error: this java cannot start here");
    } finally {
      archive.close();
    }
  }

  @Test
  void anArchiveThatIsThereIsReady() throws Exception {
    Path jar = Files.writeString(data.resolve("ollama-bridge.jar"), "classes");
    written(archive(jar, "25.0.1", 25));

    assertThat(archive(jar, "25.0.1", 25).status().state()).isEqualTo("ready");
  }

  @Test
  void anotherJarOrAnotherJdkIsAnotherArchive() throws Exception {
    Path jar = Files.writeString(data.resolve("ollama-bridge.jar"), "classes");
    Path first = archive(jar, "25.0.1", 25).file();

    assertThat(archive(jar, "25.0.1", 25).file()).isEqualTo(first);
    assertThat(archive(jar, "25.0.2", 25).file()).as("a JDK update").isNotEqualTo(first);
    Files.setLastModifiedTime(jar, FileTime.from(Instant.now().plusSeconds(60)));
    assertThat(archive(jar, "25.0.1", 25).file()).as("a rebuilt jar").isNotEqualTo(first);
  }
}
