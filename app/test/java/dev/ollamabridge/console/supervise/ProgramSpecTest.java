package dev.ollamabridge.console.supervise;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProgramSpecTest {

  @Test
  void itsTextShowsTheEnvironmentsNamesButNotItsSecrets() {
    ProgramSpec spec = new ProgramSpec("app", List.of("true"), Map.of("BRIDGE_API_KEY", "sk-secret"), Path.of("."),
        "127.0.0.1", 3000, null);

    assertThat(spec.toString()).contains("BRIDGE_API_KEY").doesNotContain("sk-secret");
  }

  @Test
  void aProgramNameThatCouldLeaveItsDirectoryIsRejected() {
    assertThatThrownBy(() -> new ProgramSpec("../etc", List.of("true"), Path.of("."), "127.0.0.1", 3000, null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("program name '../etc'");
  }

  @Test
  void aHealthUrlMustBeHttp() {
    assertThatThrownBy(() -> new ProgramSpec("app", List.of("true"), Path.of("."), "127.0.0.1", 3000, "localhost:3000"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("healthUrl of program 'app' is 'localhost:3000'");
  }

  @Test
  void aMarkerMustBeAWholeArgumentOfTheCommand() {
    assertThatThrownBy(() -> new ProgramSpec("app", List.of("java", "-Dollamabridge.data=/data", "-jar", "app.jar"),
        Map.of(), Path.of("."), "127.0.0.1", 3000, null, List.of("-Dollamabridge.data=/dat")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("marker '-Dollamabridge.data=/dat' of program 'app' must be a non-blank argument");
  }

  @Test
  void anEmptyCommandIsRejected() {
    assertThatThrownBy(() -> new ProgramSpec("app", List.of(), Path.of("."), "127.0.0.1", 3000, null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("command of program 'app' is empty");
  }

  @Test
  void anEnvironmentVariableWithoutAValueIsRejected() {
    Map<String, String> environment = new HashMap<>();
    environment.put("BRIDGE_API_KEY", null);

    assertThatThrownBy(() -> new ProgramSpec("app", List.of("true"), environment, Path.of("."), "127.0.0.1", 3000,
        null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("environment variable BRIDGE_API_KEY of program 'app' has no value");
  }
}
