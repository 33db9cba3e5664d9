package dev.ollamabridge.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.ollamabridge.cli.HostPort;
import dev.ollamabridge.console.backup.Passphrases;
import dev.ollamabridge.testing.TestPorts;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * What a restored console means to the hosts that joined it: with the backup's secrets it has the same
 * CA, and a joined agent links to it again on its own; without them the CA's key is missing, and a
 * console with its agent listener on refuses to start rather than make a CA no agent trusts.
 */
class BackupAgentsTest {

  private static final Duration PATIENCE = Duration.ofSeconds(60);
  private static final String PASSPHRASE = "a passphrase for the agents' test";

  @TempDir Path data;
  @TempDir Path other;
  private ConsoleApp console;
  private ConsoleApp restoredConsole;
  private AgentProcess agent;

  @AfterEach
  void stop() {
    Teardown.run(Teardown.closing(agent), Teardown.closing(restoredConsole), Teardown.closing(console));
  }

  @Test
  void aJoinedAgentLinksToTheConsoleRestoredWithSecretsAndWithoutThemTheConsoleSaysWhy() throws Exception {
    HostPort agentListen = new HostPort("127.0.0.1", TestPorts.listenPort());
    Path consoleData = data.resolve("console");
    console = TestConsoles.start(TestConsoles.offline(consoleData).withAgentListener(agentListen, null), consoleData);
    ConsoleClient api = TestConsoles.client(console, consoleData);
    String fingerprint = api.post("/hosts", "{\"name\":\"probe\"}").body().path("ca_sha256").asText();
    String join = api.post("/hosts", "{\"name\":\"h1\"}").body().path("command").asText();
    agent = AgentProcess.joining(join, "127.0.0.1", data.resolve("h1"), null, null);
    awaitConnected(api, true);

    Path plain = other.resolve("plain.zip");
    Path sealed = other.resolve("sealed.zip");
    assertThat(run(new BackupCommand(), Map.of(), "--to", plain.toString(), "--data-dir", consoleData.toString())).isZero();
    assertThat(run(new BackupCommand(), Map.of(Passphrases.VARIABLE, PASSPHRASE), "--to", sealed.toString(), "--data-dir",
        consoleData.toString(), "--include-secrets")).isZero();
    console.close();
    console = null;

    Path withoutSecrets = other.resolve("without-secrets");
    assertThat(run(new RestoreCommand(), Map.of(), "--from", plain.toString(), "--data-dir", withoutSecrets.toString()))
        .isZero();
    assertThat(withoutSecrets.resolve("pki/ca.crt")).exists();
    assertThat(withoutSecrets.resolve("pki/ca.key")).doesNotExist();
    assertThatThrownBy(() -> ConsoleApp.start(TestConsoles.offline(withoutSecrets).withAgentListener(agentListen, null)))
        .hasMessageContaining("ca.key is not").hasMessageContaining("every host must then join again");

    Path withSecrets = other.resolve("with-secrets");
    assertThat(run(new RestoreCommand(), Map.of(Passphrases.VARIABLE, PASSPHRASE), "--from", sealed.toString(),
        "--data-dir", withSecrets.toString())).isZero();
    restoredConsole = ConsoleApp.start(TestConsoles.offline(withSecrets).withAgentListener(agentListen, null));
    ConsoleClient restoredApi = new ConsoleClient(restoredConsole.port(), api.token());

    awaitConnected(restoredApi, true);
    assertThat(restoredApi.post("/hosts", "{\"name\":\"probe2\"}").body().path("ca_sha256").asText())
        .as("the same CA: new hosts join it as before").isEqualTo(fingerprint);
  }

  private void awaitConnected(ConsoleClient api, boolean connected) {
    await().atMost(PATIENCE).untilAsserted(() -> assertThat(api.get("/hosts/h1").body().path("connected").asBoolean())
        .as(agent.output()).isEqualTo(connected));
  }

  private static int run(Object command, Map<String, String> environment, String... args) {
    if (command instanceof BackupCommand backup) {
      backup.environment = environment;
    } else if (command instanceof RestoreCommand restore) {
      restore.environment = environment;
    }
    StringWriter err = new StringWriter();
    CommandLine commandLine = new CommandLine(command);
    commandLine.setErr(new PrintWriter(err));
    commandLine.setOut(new PrintWriter(new StringWriter()));
    int code = commandLine.execute(args);
    if (code != 0) {
      throw new AssertionError(err.toString());
    }
    return code;
  }
}
