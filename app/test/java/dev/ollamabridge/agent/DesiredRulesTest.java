package dev.ollamabridge.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ollamabridge.console.instances.SelfCommand;
import dev.ollamabridge.console.supervise.ProgramSpec;
import dev.ollamabridge.link.BridgeSpec;
import dev.ollamabridge.link.Desired;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A desired state is checked whole, with a one-line reason that names the bridge, the field and the rule. */
class DesiredRulesTest {

  private static final BridgePrograms PROGRAMS = new BridgePrograms(
      new SelfCommand("/jdk/bin/java", List.of("-jar", "/opt/ollama-bridge.jar")), Path.of("/var/lib/agent"));

  @Test
  void aGoodDocumentBecomesTheProgramsTheAgentRuns() {
    Map<String, ProgramSpec> specs = DesiredRules.check(desired(bridge("chat", 3100, List.of("-l", "127.0.0.1:3100"),
        Map.of("BRIDGE_API_KEY", "sk-1"), true)), "gpu-1", PROGRAMS);

    ProgramSpec chat = specs.get("chat");
    assertThat(chat.command()).startsWith("/jdk/bin/java")
        .contains("-Dollamabridge.data=/var/lib/agent", "-Dollamabridge.program=chat")
        .containsSubsequence("-jar", "/opt/ollama-bridge.jar", "bridge", "-l", "127.0.0.1:3100", "--enable-cache",
            "--cache-dir", "/var/lib/agent/cache/chat", "--request-log", "/var/lib/agent/logs/requests/chat.jsonl");
    assertThat(chat.environment()).containsEntry("BRIDGE_API_KEY", "sk-1");
    assertThat(chat.command()).noneMatch(argument -> argument.contains("sk-1"));
    assertThat(chat.healthUrl()).isEqualTo("http://127.0.0.1:3100/health");
    assertThat(chat.workDir()).isEqualTo(Path.of("/var/lib/agent"));
    assertThat(chat.markers()).containsExactly("-Dollamabridge.data=/var/lib/agent", "-Dollamabridge.program=chat");
  }

  @Test
  void aDocumentForAnotherHostIsRefused() {
    assertThatThrownBy(() -> DesiredRules.check(new Desired("gpu-2", 1, List.of()), "gpu-1", PROGRAMS))
        .hasMessage("host is 'gpu-2'; this agent is host 'gpu-1'");
  }

  @Test
  void namesMustBeInstanceNamesAndDistinct() {
    assertThatThrownBy(() -> check(bridge("../etc", 3100)))
        .hasMessageContaining("bridge name '../etc' must be 1-63 lower-case letters");
    assertThatThrownBy(() -> check(bridge("chat", 3100), bridge("chat", 3101)))
        .hasMessage("bridge chat is named twice; names must be distinct");
  }

  @Test
  void portsMustBeDistinctAndValid() {
    assertThatThrownBy(() -> check(bridge("a", 3100), bridge("b", 3100)))
        .hasMessage("bridges a and b both have port 3100; ports must be distinct");
    assertThatThrownBy(() -> check(bridge("a", 70000))).hasMessage("port of bridge a is 70000; it must be 1-65535");
  }

  @Test
  void argumentsAreBoundedAndLeaveTheCacheToTheAgent() {
    assertThatThrownBy(() -> check(bridge("a", 3100, List.of("--cache-dir", "/etc"), Map.of(), false)))
        .hasMessageContaining("hold --cache-dir, which the agent places itself");
    assertThatThrownBy(() -> check(bridge("a", 3100, List.of("--request-log", "/etc/cron.d/x"), Map.of(), false)))
        .hasMessageContaining("hold --request-log, which the agent places itself");
    assertThatThrownBy(() -> check(bridge("a", 3100, List.of("--request-log=/etc/cron.d/x"), Map.of(), false)))
        .hasMessageContaining("hold --request-log, which the agent places itself");
    assertThatThrownBy(() -> check(bridge("a", 3100, List.of("--cache-dir=/etc"), Map.of(), false)))
        .hasMessageContaining("hold --cache-dir, which the agent places itself");
    assertThatThrownBy(() -> check(bridge("a", 3100, Collections.nCopies(DesiredRules.MAX_ARGUMENTS + 1, "-x"),
        Map.of(), false))).hasMessageContaining("at most " + DesiredRules.MAX_ARGUMENTS);
    assertThatThrownBy(() -> check(bridge("a", 3100, List.of("x".repeat(DesiredRules.MAX_ARGUMENT_CHARS + 1)),
        Map.of(), false))).hasMessageContaining("longer than " + DesiredRules.MAX_ARGUMENT_CHARS);
  }

  @Test
  void onlyTheBridgesOwnVariablesMaySetAndTheirValuesAreNeverTold() {
    assertThatThrownBy(() -> check(bridge("a", 3100, List.of(), Map.of("JAVA_TOOL_OPTIONS", "-javaagent:/tmp/x.jar"),
        false))).hasMessageContaining("names a variable that is not BRIDGE_").hasMessageNotContaining("javaagent");
    assertThatThrownBy(() -> check(bridge("a", 3100, List.of(), Map.of("BRIDGE_API_KEY", "sk\0secret"), false)))
        .hasMessageContaining("BRIDGE_API_KEY of bridge a").hasMessageNotContaining("secret");
  }

  @Test
  void theListenHostMustBeAnAddress() {
    assertThatThrownBy(() -> check(new BridgeSpec("a", List.of(), Map.of(), "127.0.0.1 -x", 3100, false, true)))
        .hasMessage("listenHost of bridge a is not a host name or IP address");
  }

  private static void check(BridgeSpec... bridges) {
    DesiredRules.check(desired(bridges), "gpu-1", PROGRAMS);
  }

  private static Desired desired(BridgeSpec... bridges) {
    return new Desired("gpu-1", 1, List.of(bridges));
  }

  private static BridgeSpec bridge(String name, int port) {
    return bridge(name, port, List.of("-l", "127.0.0.1:" + port), Map.of(), false);
  }

  private static BridgeSpec bridge(String name, int port, List<String> arguments, Map<String, String> environment,
      boolean cache) {
    return new BridgeSpec(name, arguments, environment, "127.0.0.1", port, cache, true);
  }
}
