package dev.ollamabridge.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ollamabridge.Main;
import dev.ollamabridge.testing.TestPorts;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code ollama-bridge agent} refuses what it cannot work with before it starts anything: one line on
 * stderr that says what to change, exit code 1 for a refusal (plain HTTP, a join the console or the
 * fingerprint refuses) and 2 for a malformed option.
 */
class AgentCommandTest {

  private static final String SOME_FINGERPRINT = "sha256:" + "ab".repeat(32);

  @TempDir Path data;

  private String err = "";

  @Test
  void aPlainHttpConsoleIsRefusedInOneLine() {
    int code = agent("--console", "http://198.18.0.1:8443", "--join", "t", "--ca-sha256", SOME_FINGERPRINT,
        "--advertise", "198.18.0.11");

    assertThat(code).isEqualTo(1);
    assertThat(err.lines()).containsExactly(
        "agent: --console: plain HTTP: the agent talks to the console only over TLS; give https://HOST:PORT");
    assertThat(data.resolve("pki")).doesNotExist();
  }

  @Test
  void anAdvertiseAddressThatIsNoAddressIsRefused() {
    int code = agent("--console", "https://198.18.0.1:8443", "--advertise", "not an address");

    assertThat(code).isEqualTo(2);
    assertThat(err.lines()).singleElement().asString().contains("--advertise: 'not an address' is not an IP address or host name");
  }

  @Test
  void aWildcardAdvertiseAddressIsRefused() {
    int code = agent("--console", "https://198.18.0.1:8443", "--advertise", "0.0.0.0");

    assertThat(code).isEqualTo(2);
    assertThat(err.lines()).singleElement().asString().contains("--advertise: 0.0.0.0 is every address of this host");
  }

  @Test
  void aLoopbackAdvertiseAddressIsRefusedForAConsoleElsewhere() {
    int code = agent("--console", "https://198.18.0.1:8443", "--advertise", "127.0.0.1");

    assertThat(code).isEqualTo(2);
    assertThat(err.lines()).singleElement().asString().contains("--advertise: 127.0.0.1 is reached from this host only");
  }

  @Test
  void anNginxThatIsNoExecutableIsRefused() {
    int code = agent("--console", "https://198.18.0.1:8443", "--advertise", "198.18.0.11", "--nginx",
        data.resolve("no-nginx").toString());

    assertThat(code).isEqualTo(2);
    assertThat(err.lines()).singleElement().asString().contains("--nginx: ").contains("no-nginx is not an executable file");
  }

  @Test
  void aWrongFingerprintIsRefusedInOneLineAndNothingIsKept() throws Exception {
    try (TlsTestConsole console = TlsTestConsole.start(data.resolve("console"), TestPorts.listenPort())) {
      int code = agent("--console", console.url(), "--join", console.token, "--ca-sha256", SOME_FINGERPRINT,
          "--advertise", "127.0.0.1");

      assertThat(code).isEqualTo(1);
      assertThat(err.lines()).containsExactly("agent: the console's CA is " + console.ca.fingerprint() + ", not "
          + SOME_FINGERPRINT + " as --ca-sha256 says");
      assertThat(data.resolve("agent").resolve("pki").resolve("agent.crt")).doesNotExist();
    }
  }

  @Test
  void aTokenTheConsoleRefusesIsOneLineWithItsReason() throws Exception {
    try (TlsTestConsole console = TlsTestConsole.start(data.resolve("console"), TestPorts.listenPort())) {
      int code = agent("--console", console.url(), "--join", "not-the-token", "--ca-sha256", console.ca.fingerprint(),
          "--advertise", "127.0.0.1");

      assertThat(code).isEqualTo(1);
      assertThat(err.lines()).singleElement().asString().startsWith("agent: the console at 127.0.0.1:")
          .endsWith("refused the join: the join token is unknown or was used already (HTTP 403)");
    }
  }

  @Test
  void aSecondAgentOnTheSameDataDirectoryIsRefused() throws Exception {
    Path dir = data.resolve("agent");
    Files.createDirectories(dir);
    try (var held = dev.ollamabridge.console.store.DataDirectory.lock(dir, "agent", Reconciler.FILE)) {
      int code = agent("--console", "https://198.18.0.1:8443", "--advertise", "198.18.0.11");

      assertThat(code).isEqualTo(1);
      assertThat(err.lines()).singleElement().asString().contains("is in use by another agent (pid "
          + ProcessHandle.current().pid() + ")");
    }
  }

  private int agent(String... args) {
    List<String> all = new ArrayList<>(List.of("agent", "--data", data.resolve("agent").toString()));
    all.addAll(List.of(args));
    StringWriter captured = new StringWriter();
    CommandLine commandLine = Main.commandLine().setErr(new PrintWriter(captured, true));
    int code = commandLine.execute(all.toArray(String[]::new));
    err = captured.toString();
    return code;
  }
}
