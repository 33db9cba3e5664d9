package dev.ollamabridge.console.instances;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ollamabridge.console.jdk.BridgeJava;
import dev.ollamabridge.console.jdk.FakeJdks;
import dev.ollamabridge.console.jdk.JdkSearch;
import dev.ollamabridge.files.OpenToOthers;
import dev.ollamabridge.files.OwnerOnly;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.time.Duration;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The archive built for real, as the console builds it: a training run of the packaged jar's bridge
 * on the java the console would pick, whose classes a bridge started after then maps.
 */
@Tag("packaged")
class BridgeArchiveTrainingTest {

  private static final Path JAR = Path.of("target", "ollama-bridge.jar");

  @TempDir Path data;

  @Test
  void aTrainingRunWritesTheArchiveThatTheNextBridgeMaps() throws Exception {
    assertThat(JAR).as("mvn verify builds the jar before this test").isRegularFile();
    BridgeJava java = JdkSearch.ofThisMachine().forBridges("auto");
    SelfCommand self = new SelfCommand(java.executable(), List.of("-jar", JAR.toAbsolutePath().toString()));
    BridgeArchive archive = BridgeArchive.of(self, java.jdk().version(), java.jdk().feature(), data.resolve("run"),
        data.resolve("logs")).orElseThrow();
    Files.createDirectories(data.resolve("run"));
    Path older = Files.writeString(data.resolve("run/bridges-17-000000000000.jsa"), "an earlier jar's");

    archive.build();

    assertThat(archive.file()).isRegularFile();
    assertThat(Files.size(archive.file())).as("an archive of thousands of classes").isGreaterThan(10L << 20);
    assertThat(data.resolve("run")).isDirectoryNotContaining("glob:**.partial");
    assertThat(older).as("an archive no bridge maps any more").doesNotExist();
    assertThat(Files.getPosixFilePermissions(data.resolve("logs/bridge-archive.log")))
        .as("its log, like the bridges'").isEqualTo(OwnerOnly.FILE);
    assertThat(OpenToOthers.under(data)).as("the archive and all else the training left, open to others").isEmpty();
    assertThat(loaded(self, archive.flags()))
        .contains("dev.ollamabridge.Main source: shared objects file");
  }

  @Test
  void aTrainingThatFailsIsTriedAgainAndTheRetryBuildsTheArchive() throws Exception {
    assertThat(JAR).as("mvn verify builds the jar before this test").isRegularFile();
    BridgeJava real = JdkSearch.ofThisMachine().forBridges("auto");
    Path java = FakeJdks.failingFirst(data.resolve("jdk"), real.jdk().version(), 1,
        "Error: could not bind 127.0.0.1:45811", real.executable());
    SelfCommand self = new SelfCommand(java.toString(), List.of("-jar", JAR.toAbsolutePath().toString()));
    BridgeArchive archive = BridgeArchive.of(self, real.jdk().version(), real.jdk().feature(), data.resolve("run"),
        data.resolve("logs"), Duration.ofMillis(500), Duration.ofSeconds(2)).orElseThrow();
    List<BridgeArchive.Status> seen = new CopyOnWriteArrayList<>();
    try {
      archive.prepare();

      BridgeArchive.Status ready = await().atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofMillis(100))
          .until(() -> record(seen, archive.status()), status -> status.state().equals("ready"));

      assertThat(ready.attempts()).isEqualTo(2);
      assertThat(seen).as("the first training's failure, with its reason").anySatisfy(status -> {
        assertThat(status.state()).isEqualTo("failed");
        assertThat(status.reason()).contains("Error: could not bind 127.0.0.1:45811");
      });
      assertThat(archive.file()).isRegularFile();
      assertThat(archive.flags()).anyMatch(flag -> flag.endsWith("=" + archive.file()));
    } finally {
      archive.close();
    }
  }

  private static BridgeArchive.Status record(List<BridgeArchive.Status> seen, BridgeArchive.Status status) {
    seen.add(status);
    return status;
  }

  /** The class-loading log of {@code ollama-bridge --version} with these flags. */
  private String loaded(SelfCommand self, List<String> archiveFlags) throws IOException, InterruptedException {
    List<String> flags = new ArrayList<>(BridgeLaunch.JVM_FLAGS);
    flags.addAll(archiveFlags);
    flags.add("-Xlog:class+load=info");
    Path out = data.resolve("version.log");
    Process process = new ProcessBuilder(self.command(flags, List.of("--version")))
        .redirectErrorStream(true).redirectOutput(out.toFile()).start();
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return Files.readString(out, StandardCharsets.UTF_8);
  }
}
