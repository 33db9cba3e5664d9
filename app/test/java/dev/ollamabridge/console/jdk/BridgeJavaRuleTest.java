package dev.ollamabridge.console.jdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import dev.ollamabridge.console.settings.Setting;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** bridge.java takes auto or a path to the java of a JDK 17 or newer, and says which rule a value breaks. */
class BridgeJavaRuleTest {

  @TempDir Path root;

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "relative | jdk/bin/java | must be auto or an absolute path",
      "a shell word | /opt/jdk/bin/java;id | must be auto or an absolute path",
      "spaces | /opt/my jdk/bin/java | must be auto or an absolute path",
      "not called java | {root}/jdk-21/bin/javac | is not called java",
      "missing | {root}/jdk-21/bin/nothing/java | must name an existing executable file",
      "not executable | {root}/plain/bin/java | must name an existing executable file",
      "a directory | {root}/dir/java | must name an existing executable file",
      "no release file | {root}/no-release/bin/java | has none beside its bin/",
      "too old | {root}/jdk-11/bin/java | must be the java of a JDK 17 or newer",
      "too old, 1.x | {root}/jdk-8/bin/java | is Java 1.8.0_392"})
  void aPathThatBreaksARuleIsRefusedWithTheRule(String why, String path, String rule) throws Exception {
    FakeJdks.create(root.resolve("jdk-21"), "21.0.5");
    Files.writeString(root.resolve("jdk-21/bin/javac"), "#!/bin/sh\n");
    Files.setPosixFilePermissions(root.resolve("jdk-21/bin/javac"), PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.setPosixFilePermissions(FakeJdks.create(root.resolve("plain"), "21.0.5"), PosixFilePermissions.fromString("rw-r--r--"));
    Files.createDirectories(root.resolve("dir/java"));
    FakeJdks.create(root.resolve("no-release"), null);
    FakeJdks.create(root.resolve("jdk-11"), "11.0.2");
    FakeJdks.create(root.resolve("jdk-8"), "1.8.0_392");
    String value = path.replace("{root}", root.toString());

    assertThatIllegalArgumentException().isThrownBy(() -> Setting.BRIDGE_JAVA.check(value))
        .withMessageContaining(rule);
  }

  @Test
  void autoAndTheJavaOfAJdk17OrNewerAreTaken() throws Exception {
    Path java17 = FakeJdks.create(root.resolve("jdk-17.0.2+8"), "17.0.2");
    Path java25 = FakeJdks.create(root.resolve("jdk-25"), "25");

    assertThat(Setting.BRIDGE_JAVA.check("auto")).isEqualTo("auto");
    assertThat(Setting.BRIDGE_JAVA.check(java17.toString())).isEqualTo(java17.toString());
    assertThat(Setting.BRIDGE_JAVA.check(java25.toString())).isEqualTo(java25.toString());
  }

  @Test
  void bridgeJavaIsOperatorConfigurationWithItsFlagAndVariable() {
    assertThat(Setting.BRIDGE_JAVA.operator()).isTrue();
    assertThat(Setting.BRIDGE_JAVA.flag()).isEqualTo("--bridge-java");
    assertThat(Setting.BRIDGE_JAVA.environmentVariable()).isEqualTo("OLLAMA_BRIDGE_BRIDGE_JAVA");
  }
}
