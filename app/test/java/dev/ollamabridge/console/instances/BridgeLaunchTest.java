package dev.ollamabridge.console.instances;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ollamabridge.console.cache.RedisTarget;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The JVM flags a managed bridge starts with: the lean settings, its markers, the shared archive once built. */
class BridgeLaunchTest {

  @TempDir Path data;

  private static final SelfCommand FROM_CLASSES = new SelfCommand("/jdk/bin/java",
      List.of("-cp", "/src/target/classes", "dev.ollamabridge.Main"));

  static Instance instance(String name) {
    return new Instance(1, name, "local", "127.0.0.1", 3100, "http://127.0.0.1:11434", "auto", 1, "primary", 2, 30, false, null,
        false, null, List.of(), 0, true, true, true, List.of(), List.of(), List.of(), 0, 0, 30_000, 1, Instant.now(),
        Instant.now());
  }

  @Test
  void aBridgeRunsWithTheLeanFlagsAndTheMarkersOfItsConsole() {
    List<String> command = new BridgeLaunch(FROM_CLASSES, data, Optional.empty()).spec(instance("gpu")).command();

    assertThat(command).startsWith("/jdk/bin/java").containsSubsequence(BridgeLaunch.JVM_FLAGS)
        .contains("-Dollamabridge.program=gpu", "-Dollamabridge.data=" + data.toAbsolutePath().normalize())
        .containsSubsequence("dev.ollamabridge.Main", "bridge", "-l", "127.0.0.1:3100")
        .noneMatch(flag -> flag.contains("SharedArchive") || flag.contains("AOTCache"));
  }

  @Test
  void everyBridgeMapsTheOneArchiveOnceItIsThere() throws Exception {
    Path jar = Files.writeString(data.resolve("ollama-bridge.jar"), "classes");
    SelfCommand fromJar = new SelfCommand(BridgeArchiveTest.runningJava(), List.of("-jar", jar.toString()));
    BridgeArchive archive = BridgeArchive.of(fromJar, "25.0.1", 25, data.resolve("run"), data.resolve("logs")).orElseThrow();
    Files.createDirectories(archive.file().getParent());
    Files.writeString(archive.file(), "archived classes");
    BridgeLaunch launch = new BridgeLaunch(fromJar, data, Optional.of(archive));

    assertThat(launch.spec(instance("gpu")).command()).containsSubsequence("-XX:AOTCache=" + archive.file(), "-jar");
    assertThat(launch.spec(instance("cloud")).command()).contains("-XX:AOTCache=" + archive.file());
  }

  @Test
  void aBridgeWritesItsRequestLogUnderTheDataDirectoryKeptAsTheSettingsSay() {
    BridgeLaunch launch = new BridgeLaunch(FROM_CLASSES, data, Optional.empty(), () -> RedisTarget.OFF,
        () -> new RequestLogRetention(3, 7));

    List<String> command = launch.spec(instance("gpu")).command();

    assertThat(command).containsSubsequence("--request-log", data.toAbsolutePath().normalize() + "/logs/requests/gpu.jsonl")
        .containsSubsequence("--request-log-max-bytes", "3145728", "--request-log-max-age-days", "7")
        .doesNotContain("--log-bodies");
  }

  @Test
  void bodiesAreLoggedOnlyWhereTheInstanceSaysAndAnAgentPlacesTheLogItself() {
    Instance bodies = new Instance(1, "gpu", "local", "127.0.0.1", 3100, "http://127.0.0.1:11434", "auto", 1, "primary", 2,
        30, false, null, false, null, List.of(), 0, true, true, true, List.of(), List.of(), List.of(), 0, 0, 30_000, true, 1,
        Instant.now(), Instant.now());

    List<String> placed = BridgeLaunch.placedArguments(bodies, RedisTarget.OFF, new RequestLogRetention(10, 30));

    assertThat(placed).contains("--log-bodies").containsSubsequence("--request-log-max-bytes", "10485760",
        "--request-log-max-age-days", "30").doesNotContain("--request-log");
    assertThat(BridgeLaunch.launchesAlike(instance("gpu"), bodies, RedisTarget.OFF)).isFalse();
    assertThat(BridgeLaunch.arguments(bodies, RedisTarget.OFF, Path.of("/data"))).as("supervisor.conf names no request log")
        .doesNotContain("--log-bodies", "--request-log-max-bytes");
    assertThat(new BridgeLaunch(FROM_CLASSES, data, Optional.empty()).spec(bodies).command())
        .containsSubsequence("--request-log", "--log-bodies");
  }
}
