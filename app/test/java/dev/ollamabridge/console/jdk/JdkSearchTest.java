package dev.ollamabridge.console.jdk;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JdkSearchTest {

  @TempDir Path root;

  private final Jdk own = new Jdk(Path.of("/console/own/bin/java"), "17.0.15");

  @Test
  void autoTakesTheNewestJdkOf21OrLaterWhereverItIsKept() throws Exception {
    Path jvm = Files.createDirectories(root.resolve("jvm"));
    Path javaHome = FakeJdks.create(root.resolve("opt/jdk-21"), "21.0.5").getParent().getParent();
    FakeJdks.create(jvm.resolve("java-17-openjdk-amd64"), "17.0.15");
    Path newest = FakeJdks.create(jvm.resolve("temurin-25-jdk-amd64"), "25.0.1");
    Path onPath = linkedBin(FakeJdks.create(root.resolve("opt/jdk-23"), "23.0.2"));

    BridgeJava chosen = JdkSearch.of(Map.of("JAVA_HOME", javaHome.toString(), "PATH", "/nowhere:" + onPath), jvm, own)
        .forBridges("auto");

    assertThat(chosen.jdk()).isEqualTo(new Jdk(newest.toRealPath(), "25.0.1"));
    assertThat(chosen.jdk().feature()).isEqualTo(25);
    assertThat(chosen.setting()).isEqualTo("auto");
    assertThat(chosen.describe()).isEqualTo(newest.toRealPath() + " (Java 25.0.1): the newest JDK 21 or later found");
  }

  @Test
  void theJavaOnThePathIsFollowedToItsJdksReleaseFile() throws Exception {
    Path bin = linkedBin(FakeJdks.create(root.resolve("opt/jdk-22"), "22.0.1"));

    BridgeJava chosen = JdkSearch.of(Map.of("PATH", bin.toString()), root.resolve("no-jvm-dir"), own).forBridges("auto");

    assertThat(chosen.jdk().version()).isEqualTo("22.0.1");
    assertThat(chosen.executable()).isEqualTo(root.resolve("opt/jdk-22/bin/java").toRealPath().toString());
  }

  @Test
  void aJdkReachedSeveralWaysCountsOnceAndTheFirstFoundOfEqualVersionsWins() throws Exception {
    Path jvm = Files.createDirectories(root.resolve("jvm"));
    Path first = FakeJdks.create(jvm.resolve("a-jdk-25"), "25.0.1");
    FakeJdks.create(jvm.resolve("b-jdk-25"), "25.0.1");
    Files.createSymbolicLink(jvm.resolve("c-link-to-a"), jvm.resolve("a-jdk-25"));
    Path newerUpdate = FakeJdks.create(jvm.resolve("d-jdk-25"), "25.0.2");

    JdkSearch search = JdkSearch.of(Map.of("PATH", linkedBin(first).toString()), jvm, own);

    assertThat(search.found()).extracting(Jdk::java).containsExactly(
        first.toRealPath(), jvm.resolve("b-jdk-25/bin/java").toRealPath(), newerUpdate.toRealPath());
    assertThat(search.forBridges("auto").executable()).as("25.0.2 is newer than 25.0.1").isEqualTo(newerUpdate.toRealPath().toString());
    assertThat(JdkSearch.of(Map.of(), jvm, own).found()).hasSize(3);
  }

  @Test
  void withoutAJdkOf21OrLaterTheBridgesRunOnTheConsolesOwnRuntime() throws Exception {
    Path jvm = Files.createDirectories(root.resolve("jvm"));
    FakeJdks.create(jvm.resolve("java-17"), "17.0.9");
    FakeJdks.create(jvm.resolve("java-8"), "1.8.0_392");
    FakeJdks.create(jvm.resolve("no-release"), null);

    JdkSearch search = JdkSearch.of(Map.of(), jvm, own);
    BridgeJava chosen = search.forBridges("auto");

    assertThat(search.found()).extracting(Jdk::feature).containsExactly(17, 8);
    assertThat(chosen.jdk()).isEqualTo(own);
    assertThat(chosen.reason()).isEqualTo("no JDK 21 or later found: the console's own runtime");
  }

  @Test
  void aJavaNamedInTheSettingIsUsedAsItIsNamed() throws Exception {
    Path named = FakeJdks.create(root.resolve("jdk-17"), "17.0.2");
    Path jvm = Files.createDirectories(root.resolve("jvm"));
    FakeJdks.create(jvm.resolve("jdk-25"), "25.0.1");

    BridgeJava chosen = JdkSearch.of(Map.of(), jvm, own).forBridges(named.toString());

    assertThat(chosen.jdk()).isEqualTo(new Jdk(named, "17.0.2"));
    assertThat(chosen.reason()).isEqualTo("named by bridge.java");
  }

  @Test
  void thisMachineHasARuntimeForTheBridges() {
    BridgeJava chosen = JdkSearch.ofThisMachine().forBridges("auto");

    assertThat(chosen.jdk().feature()).isGreaterThanOrEqualTo(Math.min(Runtime.version().feature(), JdkSearch.PREFERRED));
    assertThat(Path.of(chosen.executable())).isExecutable();
  }

  /** A bin directory whose java is a link to {@code java}, as /usr/bin/java is on Debian. */
  private Path linkedBin(Path java) throws Exception {
    Path bin = Files.createDirectories(root.resolve("links-" + java.getParent().getParent().getFileName()));
    Files.createSymbolicLink(bin.resolve("java"), java);
    return bin;
  }
}
