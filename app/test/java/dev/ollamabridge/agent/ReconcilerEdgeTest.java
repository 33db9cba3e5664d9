package dev.ollamabridge.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ollamabridge.console.instances.SelfCommand;
import dev.ollamabridge.console.supervise.SupervisePolicy;
import dev.ollamabridge.console.supervise.Supervisor;
import dev.ollamabridge.link.BridgeSpec;
import dev.ollamabridge.link.Desired;
import dev.ollamabridge.link.EdgeReport;
import dev.ollamabridge.link.EdgeSpec;
import dev.ollamabridge.testing.TestPorts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The edge part of a desired state is applied on its own, after the bridges: a refused edge config does
 * not refuse the bridges, nor refused bridges the edge; a document without an edge stops the edge nginx,
 * and the edge kept in {@code desired.json} comes back with a restarted agent. Real nginx; skipped
 * without it (failed under CI).
 */
class ReconcilerEdgeTest {

  private static final OkHttpClient HTTP = new OkHttpClient();
  private static final SupervisePolicy POLICY = new SupervisePolicy(Duration.ofSeconds(1), 3, Duration.ofSeconds(1),
      Duration.ofSeconds(5), true, Duration.ofSeconds(5), 50L * 1024 * 1024, 3);

  @TempDir Path data;

  private final int port = TestPorts.listenPort();
  private final List<Supervisor> supervisors = new ArrayList<>();
  private String nginx;

  @BeforeEach
  void needNginx() {
    nginx = EdgeNginxTest.requireNginx();
  }

  @AfterEach
  void closeAll() {
    supervisors.forEach(Supervisor::close); // nginx is LeftoverProcesses' to kill
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

    await().atMost(Duration.ofSeconds(30)).until(() -> ProcessHandle.of(master).filter(ProcessHandle::isAlive).isEmpty());
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

  private Reconciler reconciler() {
    Supervisor supervisor = new Supervisor(data.resolve("run"), data.resolve("logs"), POLICY, HTTP);
    supervisors.add(supervisor);
    return new Reconciler(supervisor, data, SelfCommand.current(), "gpu-1", new EdgeNginx(nginx, data, supervisor, HTTP));
  }

  private EdgeSpec edge(String hash) {
    return new EdgeSpec(hash, EdgeNginxTest.config(hash, port, ""), "127.0.0.1:" + port);
  }

  private static BridgeSpec badBridge() {
    return new BridgeSpec("Bad_Name", List.of(), Map.of(), "127.0.0.1", 1, false, true);
  }
}
