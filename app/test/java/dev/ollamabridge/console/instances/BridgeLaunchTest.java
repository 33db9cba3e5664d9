package dev.ollamabridge.console.instances;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The JVM flags a managed bridge starts with: its own class-data archive where the JDK can keep one. */
class BridgeLaunchTest {

  @TempDir Path data;

  private static final SelfCommand FROM_JAR = new SelfCommand("/jdk/bin/java", List.of("-jar", "/opt/ollama-bridge.jar"));
  private static final SelfCommand FROM_CLASSES = new SelfCommand("/jdk/bin/java",
      List.of("-cp", "/src/target/classes", "dev.ollamabridge.Main"));

  private static Instance instance(String name) {
    return new Instance(1, name, "127.0.0.1", 3100, "http://127.0.0.1:11434", "auto", 1, "primary", 2, 30, false, null,
        false, null, List.of(), 0, true, true, true, List.of(), List.of(), List.of(), 0, 0, 30_000, 1, Instant.now(),
        Instant.now());
  }

  @Test
  void fromJdk19OnABridgeRunFromTheJarKeepsAnArchiveOfItsOwn() {
    List<String> command = new BridgeLaunch(FROM_JAR, data, 25).spec(instance("gpu")).command();

    assertThat(command).containsSubsequence("-XX:+AutoCreateSharedArchive",
        "-XX:SharedArchiveFile=" + data.toAbsolutePath().normalize().resolve("run/gpu.jsa"), "-jar");
    assertThat(new BridgeLaunch(FROM_JAR, data, 25).spec(instance("cloud")).command())
        .as("no two bridges share one").contains("-XX:SharedArchiveFile=" + data.toAbsolutePath().normalize().resolve("run/cloud.jsa"));
  }

  @Test
  void olderJdksAndClassPathsOfDirectoriesGetNoArchive() {
    assertThat(new BridgeLaunch(FROM_JAR, data, 17).spec(instance("gpu")).command())
        .noneMatch(flag -> flag.contains("SharedArchive"));
    assertThat(new BridgeLaunch(FROM_CLASSES, data, 25).spec(instance("gpu")).command())
        .noneMatch(flag -> flag.contains("SharedArchive"));
  }

  @Test
  void aBridgeThatIsGoneLeavesNoArchiveBehind() throws Exception {
    BridgeLaunch launch = new BridgeLaunch(FROM_JAR, data, 25);
    Path archive = data.resolve("run/gpu.jsa");
    Files.createDirectories(archive.getParent());
    Files.writeString(archive, "classes");

    launch.forget(instance("gpu"));

    assertThat(archive).doesNotExist();
  }
}
