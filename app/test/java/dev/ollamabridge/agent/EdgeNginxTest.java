package dev.ollamabridge.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ollamabridge.console.instances.SelfCommand;
import dev.ollamabridge.console.nginx.NginxBinary;
import dev.ollamabridge.console.nginx.NginxLogRotation;
import dev.ollamabridge.console.nginx.NjsRouting;
import dev.ollamabridge.console.supervise.ProcessState;
import dev.ollamabridge.console.supervise.ProgramStatus;
import dev.ollamabridge.console.supervise.Supervisor;
import dev.ollamabridge.link.BridgeSpec;
import dev.ollamabridge.link.Desired;
import dev.ollamabridge.link.EdgeReport;
import dev.ollamabridge.link.EdgeSpec;
import dev.ollamabridge.testing.NginxLogFiles;
import dev.ollamabridge.testing.TestPorts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * An agent's edge nginx, real nginx under the agent's supervisor: a config applied is served, a config
 * {@code nginx -t} refuses leaves the previous one serving and is reported with nginx's words, a
 * killed master is started again, a host that is no edge any more stops its nginx, and a restarted
 * agent adopts the nginx it left. Within the {@link Reconciler}, the edge is a transaction of its own
 * beside the bridges, and is kept in {@code desired.json}. Skipped without nginx (failed under CI).
 */
class EdgeNginxTest {

  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final OkHttpClient HTTP = new OkHttpClient.Builder().readTimeout(Duration.ofSeconds(10)).build();

  @TempDir Path data;

  private final int port = TestPorts.listenPort();
  private final List<Supervisor> supervisors = new ArrayList<>();
  private String nginx;

  @BeforeEach
  void needNginx() {
    nginx = requireNginx();
  }

  @AfterEach
  void closeAll() {
    supervisors.forEach(Supervisor::close); // nginx is LeftoverProcesses' to kill
  }

  @Test
  void aConfigAppliedIsServedAndTheSameConfigAgainChangesNothing() throws Exception {
    EdgeNginx edge = edge();

    assertThat(edge.apply(spec("rev-a"))).isTrue();

    EdgeReport report = edge.report();
    assertThat(report.served()).isEqualTo("rev-a");
    assertThat(report.hash()).isEqualTo("rev-a");
    assertThat(report.result()).isEqualTo("applied");
    assertThat(report.servedSinceEpochMs()).isPositive();
    assertThat(report.nginx()).startsWith(nginx + " ").matches(".* [0-9][0-9.]*");
    assertThat(data.resolve("nginx/conf/router.js")).as("the routing script beside the config that imports it").exists();
    assertThat(served()).isEqualTo("rev-a");
    long master = runningPid();
    assertThat(ProcessHandle.of(master).orElseThrow().children().map(worker -> worker.info().user().orElse("?")))
        .as("the workers run as the agent's user (root's would be nobody's otherwise, locked out of the prefix)")
        .isNotEmpty().containsOnly(ProcessHandle.current().info().user().orElseThrow());

    assertThat(edge.apply(spec("rev-a"))).isTrue();
    assertThat(edge.report()).as("the same attempt, as nothing was done").isEqualTo(report);
    assertThat(runningPid()).isEqualTo(master);
  }

  /** A bad directive, and a module that is not there: how the cross-host test makes one edge refuse for real. */
  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "    bogus_directive on;|-|unknown directive \"bogus_directive\"",
      "-|/nonexistent/ngx_http_missing_module.so|ngx_http_missing_module.so"})
  void aConfigNginxRefusesLeavesThePreviousOneServing(String directive, String module, String nginxSays) {
    EdgeNginx edge = edge();
    edge.apply(spec("rev-a"));
    String config = (module.equals("-") ? "" : "load_module " + module + ";\n")
        + config("rev-b", port, directive.equals("-") ? "" : directive);

    assertThat(edge.apply(new EdgeSpec("rev-b", config, "127.0.0.1:" + port))).isFalse();

    EdgeReport report = edge.report();
    assertThat(report.served()).isEqualTo("rev-a");
    assertThat(report.hash()).isEqualTo("rev-b");
    assertThat(report.result()).isEqualTo("rejected");
    assertThat(report.message()).contains("nginx -t refused");
    assertThat(report.output()).contains(nginxSays);
    assertThat(served()).isEqualTo("rev-a");
  }

  @Test
  void aConfigThatIsNotWhatItsHashSaysIsRefusedWithoutAskingNginx() {
    EdgeNginx edge = edge();
    edge.apply(spec("rev-a"));

    assertThat(edge.apply(new EdgeSpec("rev-c", config("rev-b", port, ""), "127.0.0.1:" + port))).isFalse();

    EdgeReport report = edge.report();
    assertThat(report.result()).isEqualTo("rejected");
    assertThat(report.message()).contains("hash rev-c");
    assertThat(report.output()).isNull();
    assertThat(report.served()).isEqualTo("rev-a");
  }

  @Test
  void aKilledMasterIsStartedAgainAndServesAgain() {
    EdgeNginx edge = edge();
    edge.apply(spec("rev-a"));
    long master = runningPid();

    ProcessHandle.of(master).orElseThrow().destroyForcibly(); // kill -9: its workers stay, holding the port

    await().atMost(WAIT).until(() -> running().filter(pid -> pid != master).isPresent());
    await().atMost(WAIT).until(() -> "rev-a".equals(served()));
    assertThat(edge.report().served()).isEqualTo("rev-a");
  }

  @Test
  void nginxMovedToAnotherAddressIsStartedAgainThereAfterACrash() {
    EdgeNginx edge = edge();
    edge.apply(spec("rev-a"));
    int other = TestPorts.listenPort();

    assertThat(edge.apply(new EdgeSpec("rev-b", config("rev-b", other, ""), "127.0.0.1:" + other))).isTrue();
    long master = runningPid();
    ProcessHandle.of(master).orElseThrow().destroyForcibly();

    await().atMost(WAIT).until(() -> running().filter(pid -> pid != master).isPresent());
    await().atMost(WAIT).until(() -> "rev-b".equals(edge.report().served()));
    assertThat(served()).as("nothing on the old address").isNull();
  }

  @Test
  void aHostThatIsNoEdgeAnyMoreStopsItsNginxAndKeepsItsFiles() {
    EdgeNginx edge = edge();
    edge.apply(spec("rev-a"));
    ProcessHandle master = ProcessHandle.of(runningPid()).orElseThrow();

    edge.remove();

    await().atMost(WAIT).until(() -> !master.isAlive());
    assertThat(served()).isNull();
    assertThat(edge.report()).isNull();
    assertThat(data.resolve("nginx/conf/nginx.conf")).exists();
  }

  @Test
  void aRestartedAgentAdoptsTheNginxItLeftRunning() {
    EdgeNginx first = edge();
    first.apply(spec("rev-a"));
    long master = runningPid();
    supervisors.remove(0).close(); // the agent stops; its nginx runs on

    EdgeNginx second = edge();
    assertThat(second.apply(spec("rev-a"))).isTrue();

    assertThat(runningPid()).isEqualTo(master);
    assertThat(second.report().message()).isEqualTo("already serving");
    assertThat(second.report().served()).isEqualTo("rev-a");
  }

  @Test
  void refusedBridgesDoNotRefuseTheEdgeNorTheReverse() {
    Reconciler reconciler = reconciler();

    assertThat(reconciler.apply(new Desired("gpu-1", 1, List.of(badBridge()), edge("rev-a")))).isFalse();
    assertThat(reconciler.applyError()).contains("bridge name 'Bad_Name'");
    assertThat(reconciler.edgeReport().served()).isEqualTo("rev-a");

    EdgeSpec refused = new EdgeSpec("rev-b", EdgeNginxTest.config("rev-b", port, "    bogus_directive on;"),
        "127.0.0.1:" + port);
    assertThat(reconciler.apply(new Desired("gpu-1", 2, List.of(), refused))).isTrue();
    assertThat(reconciler.applyError()).isNull();
    assertThat(reconciler.appliedRevision()).isEqualTo(2);
    EdgeReport report = reconciler.edgeReport();
    assertThat(report.result()).isEqualTo("rejected");
    assertThat(report.served()).isEqualTo("rev-a");
  }

  @Test
  void aDocumentWithoutAnEdgeStopsItsNginx() {
    Reconciler reconciler = reconciler();
    reconciler.apply(new Desired("gpu-1", 1, List.of(), edge("rev-a")));
    long master = reconciler.supervisor().status(EdgeNginx.PROGRAM).orElseThrow().pid();

    reconciler.apply(new Desired("gpu-1", 2, List.of()));

    await().atMost(WAIT).until(() -> ProcessHandle.of(master).filter(ProcessHandle::isAlive).isEmpty());
    assertThat(reconciler.edgeReport()).isNull();
    assertThat(reconciler.supervisor().status(EdgeNginx.PROGRAM)).isEmpty();
  }

  @Test
  void theEdgeKeptOnDiskIsResumedByARestartedAgent() throws Exception {
    Reconciler first = reconciler();
    first.apply(new Desired("gpu-1", 1, List.of(), edge("rev-a")));
    long master = first.supervisor().status(EdgeNginx.PROGRAM).orElseThrow().pid();
    assertThat(Files.readString(data.resolve(Reconciler.FILE))).contains("rev-a");
    supervisors.remove(0).close();

    Reconciler second = reconciler();
    second.resume();

    assertThat(second.edgeReport().served()).isEqualTo("rev-a");
    assertThat(second.edgeReport().message()).isEqualTo("already serving");
    assertThat(second.supervisor().status(EdgeNginx.PROGRAM).orElseThrow().pid()).isEqualTo(master);
  }

  @Test
  void aLogPastTheLimitIsRotatedAndNginxWritesTheNextRequestToANewFile() throws Exception {
    EdgeNginx edge = edge();
    assertThat(edge.apply(spec("rev-a"))).isTrue();
    Path access = data.resolve("nginx/logs/access.log");
    Path aside = data.resolve("nginx/logs/access.log.1");
    NginxLogFiles.grow(access, 100 * 1024, 'x');

    try (NginxLogRotation rotation = edge.rotateLogs(64 * 1024, Duration.ofHours(1))) {
      assertThat(rotation.rotate()).contains("access.log");

      String tag = NginxLogFiles.awaitNextRequestIn(access, this::healthTagged, WAIT);
      assertThat(Files.readString(aside)).contains("x".repeat(99)).doesNotContain(tag);
      assertThat(Files.readString(access)).doesNotContain("x".repeat(99));
      assertThat(NginxLogFiles.permissions(access)).isEqualTo("rw-------");
      assertThat(NginxLogFiles.permissions(aside)).isEqualTo("rw-------");

      NginxLogFiles.grow(access, 100 * 1024, 'y');
      assertThat(rotation.rotate()).contains("access.log");
      assertThat(Files.readString(aside)).as("the new .1 replaced the old one").contains(tag, "y".repeat(99))
          .doesNotContain("x".repeat(99));
    }
    assertThat(served()).isEqualTo("rev-a");
  }

  @Test
  void logsUnderTheLimitAreNotRotated() throws Exception {
    EdgeNginx edge = edge();
    assertThat(edge.apply(spec("rev-a"))).isTrue();
    healthTagged("before");

    try (NginxLogRotation rotation = edge.rotateLogs(64 * 1024, Duration.ofHours(1))) {
      assertThat(rotation.rotate()).isEmpty();
    }

    assertThat(data.resolve("nginx/logs/access.log.1")).doesNotExist();
    assertThat(data.resolve("nginx/logs/error.log.1")).doesNotExist();
    await().atMost(WAIT).until(() -> Files.readString(data.resolve("nginx/logs/access.log")).contains("?before"));
  }

  /** A request nginx logs with this tag in its query string. */
  private void healthTagged(String tag) {
    try (Response response = HTTP.newCall(new Request.Builder().url("http://127.0.0.1:" + port + "/nginx-health?" + tag)
        .build()).execute()) {
      response.body().bytes();
    } catch (IOException e) {
      throw new AssertionError("nginx did not answer: " + e, e);
    }
  }

  private EdgeNginx edge() {
    return new EdgeNginx(nginx, data, supervisor(), HTTP);
  }

  private Supervisor supervisor() {
    Supervisor supervisor = new Supervisor(data.resolve("run"), data.resolve("logs"), ReconcilerTest.POLICY, HTTP);
    supervisors.add(supervisor);
    return supervisor;
  }

  private Reconciler reconciler() {
    Supervisor supervisor = supervisor();
    return new Reconciler(supervisor, data, SelfCommand.current(), "gpu-1", new EdgeNginx(nginx, data, supervisor, HTTP));
  }

  private EdgeSpec edge(String hash) {
    return new EdgeSpec(hash, EdgeNginxTest.config(hash, port, ""), "127.0.0.1:" + port);
  }

  private static BridgeSpec badBridge() {
    return new BridgeSpec("Bad_Name", List.of(), Map.of(), "127.0.0.1", 1, false, true);
  }

  private EdgeSpec spec(String hash, String... extra) {
    return new EdgeSpec(hash, config(hash, port, String.join("\n", extra)), "127.0.0.1:" + port);
  }

  /**
   * A whole edge config as the console renders one: its revision line, its paths relative to the prefix,
   * no {@code user} line, njs loaded (where this nginx has it) with the routing script imported by a
   * relative path.
   */
  static String config(String hash, int port, String extra) {
    Optional<String> njs = NjsRouting.forWholeConfig(NginxBinary.find(), Path.of("/unused"))
        .map(routing -> routing.loadModule());
    return "# Revision " + hash + "\n"
        + njs.map(module -> "load_module " + module + ";\n").orElse("")
        + "worker_processes 2;\n"
        + "pid nginx.pid;\n"
        + "error_log logs/error.log warn;\n"
        + "events { worker_connections 64; }\n"
        + "http {\n"
        + "    client_body_temp_path temp/client_body;\n"
        + "    proxy_temp_path temp/proxy;\n"
        + "    fastcgi_temp_path temp/fastcgi;\n"
        + "    uwsgi_temp_path temp/uwsgi;\n"
        + "    scgi_temp_path temp/scgi;\n"
        + "    access_log logs/access.log;\n"
        + njs.map(module -> "    js_import router from router.js;\n").orElse("")
        + extra + "\n"
        + "    server {\n"
        + "        listen 127.0.0.1:" + port + ";\n"
        + "        location = /nginx-health {\n"
        + "            add_header X-Config-Revision " + hash + " always;\n"
        + "            return 200 \"ok\\n\";\n"
        + "        }\n"
        + "    }\n"
        + "}\n";
  }

  /** nginx on this machine; skips the test without one, fails it under CI. */
  static String requireNginx() {
    Optional<String> binary = NginxBinary.find();
    if (binary.isEmpty()) {
      String ci = System.getenv("CI");
      if (ci != null && !ci.isEmpty() && !ci.equalsIgnoreCase("false")) {
        Assertions.fail("no nginx on the PATH; CI=" + ci + " is set, where a missing tool is a failure");
      }
      Assumptions.abort("no nginx on the PATH (Debian: apt-get install nginx libnginx-mod-http-js)");
    }
    return binary.orElseThrow();
  }

  private String served() {
    try (Response response = HTTP.newCall(new Request.Builder().url("http://127.0.0.1:" + port + "/nginx-health")
        .build()).execute()) {
      return response.header("X-Config-Revision");
    } catch (IOException e) {
      return null;
    }
  }

  private long runningPid() {
    return await().atMost(WAIT).until(this::running, Optional::isPresent).orElseThrow();
  }

  /** The pid of the edge nginx's master when the newest supervisor has it RUNNING. */
  private Optional<Long> running() {
    return supervisors.get(supervisors.size() - 1).status(EdgeNginx.PROGRAM)
        .filter(status -> status.state() == ProcessState.RUNNING).map(ProgramStatus::pid);
  }
}
