package dev.ollamabridge.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ollamabridge.console.instances.SelfCommand;
import dev.ollamabridge.console.supervise.ProcessState;
import dev.ollamabridge.console.supervise.ProgramStatus;
import dev.ollamabridge.console.supervise.SupervisePolicy;
import dev.ollamabridge.console.supervise.Supervisor;
import dev.ollamabridge.fake.FakeOllama;
import dev.ollamabridge.files.OwnerOnly;
import dev.ollamabridge.link.BridgeSpec;
import dev.ollamabridge.link.Desired;
import dev.ollamabridge.link.KeyRule;
import dev.ollamabridge.link.KeyRules;
import dev.ollamabridge.testing.TestPorts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent applies the console's desired state to real bridge processes in front of the fake backend:
 * as a transaction, touching only what changed, keeping what it applied on disk for a restart, which
 * adopts the bridges instead of starting them again.
 */
class ReconcilerTest {

  private static final Duration STARTUP = Duration.ofSeconds(90);
  private static final OkHttpClient HTTP = new OkHttpClient.Builder().readTimeout(Duration.ofSeconds(20)).build();
  /** startsecs 1 s, stops within 5 s: quicker than the defaults, the same semantics. */
  static final SupervisePolicy POLICY = new SupervisePolicy(Duration.ofSeconds(1), 3, Duration.ofSeconds(1),
      Duration.ofSeconds(5), true, Duration.ofSeconds(5), 50L * 1024 * 1024, 3);

  @TempDir Path data;

  private FakeOllama fake;
  private final List<Supervisor> supervisors = new ArrayList<>();
  private final int portA = TestPorts.listenPort();
  private final int portB = TestPorts.listenPort();

  @BeforeEach
  void startBackend() {
    fake = FakeOllama.start(FakeOllama.Options.defaults());
  }

  @AfterEach
  void closeAll() {
    supervisors.forEach(Supervisor::close); // the bridges are LeftoverProcesses' to kill
    if (fake != null) {
      fake.close();
    }
  }

  @Test
  void aDocumentIsAppliedAndThenOnlyWhatChangesIsTouched() throws Exception {
    Reconciler reconciler = reconciler();

    assertThat(reconciler.apply(desired(1, bridge("a", portA), bridge("b", portB)))).isTrue();
    long pidA = awaitRunning(reconciler, "a");
    long pidB = awaitRunning(reconciler, "b");
    assertThat(models(portA)).contains("fake-llama");
    assertThat(models(portB)).contains("fake-llama");

    reconciler.apply(desired(2, bridge("a", portA), bridge("b", portB, "--rate-limit", "100")));
    long newPidB = await().atMost(STARTUP).until(() -> running(reconciler, "b"), pid -> pid != null && pid != pidB);
    assertThat(alive(pidB)).as("the old b stopped").isFalse();
    assertThat(running(reconciler, "a")).as("a untouched").isEqualTo(pidA);
    assertThat(reconciler.appliedRevision()).isEqualTo(2);

    reconciler.apply(desired(3, stopped(bridge("a", portA)), bridge("b", portB, "--rate-limit", "100")));
    assertThat(status(reconciler, "a").state()).isEqualTo(ProcessState.STOPPED);
    await().atMost(Duration.ofSeconds(10)).until(() -> !alive(pidA));

    reconciler.apply(desired(4, stopped(bridge("a", portA))));
    await().atMost(Duration.ofSeconds(10)).until(() -> !alive(newPidB));
    assertThat(reconciler.programs()).extracting(report -> report.name() + " " + report.state())
        .containsExactly("a STOPPED");
    assertThat(storedRevision()).isEqualTo(4);
  }

  @Test
  void anInvalidDocumentIsRefusedWholeAndTouchesNothing() throws Exception {
    Reconciler reconciler = reconciler();
    reconciler.apply(desired(1, bridge("a", portA)));
    long pidA = awaitRunning(reconciler, "a");

    // a's change is fine; b's port is a's
    boolean applied = reconciler.apply(desired(2, bridge("a", portA, "--rate-limit", "5"), bridge("b", portA)));

    assertThat(applied).isFalse();
    assertThat(reconciler.applyError()).contains("revision 2 refused").contains("port " + portA)
        .contains("ports must be distinct");
    assertThat(reconciler.appliedRevision()).isEqualTo(1);
    assertThat(storedRevision()).isEqualTo(1);
    assertThat(status(reconciler, "a").pid()).isEqualTo(pidA);
    assertThat(reconciler.programs()).extracting(report -> report.name()).containsExactly("a");

    reconciler.apply(desired(3, bridge("a", portA)));
    assertThat(reconciler.applyError()).as("an applied document clears the error").isNull();
  }

  @Test
  void theAppliedDocumentIsKeptOwnerOnly() throws Exception {
    Reconciler reconciler = reconciler();
    reconciler.apply(desired(7, stopped(bridge("a", portA))));

    Path file = data.resolve("desired.json");
    assertThat(Files.getPosixFilePermissions(file)).isEqualTo(OwnerOnly.FILE);
    Desired kept = LinkJson.mapper().readValue(Files.readString(file), Desired.class);
    assertThat(kept).isEqualTo(desired(7, stopped(bridge("a", portA))));
  }

  @Test
  void theClientKeysAreWrittenForTheBridgesAndKeptWithTheDocument() throws Exception {
    Reconciler reconciler = reconciler();
    Path file = data.resolve("client-keys.json");
    reconciler.apply(desired(1, stopped(bridge("a", portA))));
    assertThat(LinkJson.mapper().readValue(Files.readString(file), KeyRules.class))
        .as("a console that sends no keys: none required, so that the bridges are not refused for a missing file")
        .isEqualTo(KeyRules.OPEN);

    KeyRules keys = new KeyRules(true, List.of(new KeyRule("1", "app", "d".repeat(64), List.of(), 0, 0, null, true, false)));
    assertThat(reconciler.apply(new Desired("gpu-1", 2, List.of(stopped(bridge("a", portA))), null, keys))).isTrue();
    assertThat(LinkJson.mapper().readValue(Files.readString(file), KeyRules.class)).isEqualTo(keys);
    assertThat(Files.getPosixFilePermissions(file)).isEqualTo(OwnerOnly.FILE);
    assertThat(LinkJson.mapper().readValue(Files.readString(data.resolve("desired.json")), Desired.class).keys())
        .as("kept, for a restart while the console is away").isEqualTo(keys);

    reconciler.apply(desired(3, stopped(bridge("a", portA))));
    assertThat(LinkJson.mapper().readValue(Files.readString(file), KeyRules.class)).as("no keys sent: the file stays")
        .isEqualTo(keys);

    KeyRules broken = new KeyRules(true, List.of(new KeyRule("1", "app", "not hex", List.of(), 0, 0, null, true, false)));
    assertThat(reconciler.apply(new Desired("gpu-1", 4, List.of(), null, broken))).isFalse();
    assertThat(reconciler.applyError()).contains("sha256 of key 1");
    assertThat(LinkJson.mapper().readValue(Files.readString(file), KeyRules.class)).isEqualTo(keys);
    assertThat(reconciler.appliedRevision()).isEqualTo(3);
  }

  @Test
  void aRestartedAgentAdoptsItsBridgesInsteadOfStartingThemAgain() throws Exception {
    Reconciler first = reconciler();
    first.apply(desired(1, bridge("a", portA)));
    long pidA = awaitRunning(first, "a");
    supervisors.get(0).close(); // the agent stops; its bridges go on

    Reconciler second = reconciler();
    second.resume();

    assertThat(second.appliedRevision()).isEqualTo(1);
    assertThat(awaitRunning(second, "a")).isEqualTo(pidA);
    assertThat(models(portA)).contains("fake-llama");
  }

  private Reconciler reconciler() {
    Supervisor supervisor = new Supervisor(data.resolve("run"), data.resolve("logs"), POLICY, HTTP);
    supervisors.add(supervisor);
    return new Reconciler(supervisor, data, SelfCommand.current(), "gpu-1", new EdgeNginx(null, data, supervisor, HTTP));
  }

  private BridgeSpec bridge(String name, int port, String... more) {
    List<String> arguments = new ArrayList<>(List.of("-l", "127.0.0.1:" + port, "--ollama", fake.baseUrl()));
    arguments.addAll(List.of(more));
    return new BridgeSpec(name, arguments, Map.of(), "127.0.0.1", port, false, true);
  }

  private static BridgeSpec stopped(BridgeSpec bridge) {
    return new BridgeSpec(bridge.name(), bridge.arguments(), bridge.environment(), bridge.listenHost(), bridge.port(),
        bridge.cache(), false);
  }

  private static Desired desired(long revision, BridgeSpec... bridges) {
    return new Desired("gpu-1", revision, List.of(bridges));
  }

  private static long awaitRunning(Reconciler reconciler, String name) {
    return await().atMost(STARTUP).until(() -> running(reconciler, name), pid -> pid != null);
  }

  /** The pid of the program when it is RUNNING, else null. */
  private static Long running(Reconciler reconciler, String name) {
    ProgramStatus status = status(reconciler, name);
    return status != null && status.state() == ProcessState.RUNNING ? status.pid() : null;
  }

  private static ProgramStatus status(Reconciler reconciler, String name) {
    return reconciler.supervisor().status(name).orElse(null);
  }

  private static boolean alive(long pid) {
    return ProcessHandle.of(pid).filter(ProcessHandle::isAlive).isPresent();
  }

  private long storedRevision() throws IOException {
    return new ObjectMapper().readTree(Files.readString(data.resolve("desired.json"))).path("revision").asLong();
  }

  private static String models(int port) throws IOException {
    try (Response response = HTTP.newCall(new Request.Builder().url("http://127.0.0.1:" + port + "/api/tags").build())
        .execute()) {
      return response.body().string();
    }
  }
}
