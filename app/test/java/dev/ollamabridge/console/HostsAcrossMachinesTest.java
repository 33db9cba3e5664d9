package dev.ollamabridge.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ollamabridge.fake.FakeOllama;
import dev.ollamabridge.testing.NetworkHosts;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hosts for real, on one machine: each a network namespace with its own address in 198.18.0.0/24 and
 * a real agent process, the console and its nginx in the root namespace. A host joins with the
 * command the console shows, runs the bridges the console assigns it, nginx routes to them at the
 * host's address; a host cut off leaves nginx and comes back by itself; a crashed agent's bridges
 * are adopted, not restarted.
 */
class HostsAcrossMachinesTest {

  private static final Duration PATIENCE = HostsCluster.PATIENCE;

  @TempDir Path data;
  private HostsCluster cluster;
  private NetworkHosts net;
  private FakeOllama backend;
  private ManagedNginxFixture nginx;

  @AfterEach
  void stop() {
    Teardown.run(Teardown.closing(cluster));
  }

  @Test
  void aHostJoinsWithTheCommandRunsItsBridgeNginxRoutesToItAndItsLogComesThroughTheLink() throws Exception {
    cluster("h1");
    AgentProcess agent = join("h1");
    awaitState("h1", "Ready");

    long b1 = bridgeOn("h1", "b1");

    JsonNode instance = nginx.api.get("/instances/" + b1).body();
    assertThat(instance.path("host").asText()).isEqualTo("h1");
    assertThat(instance.path("listen_host").asText()).isEqualTo(net.host("h1").address());
    assertThat(nginx.appliedConfig()).contains("server " + net.host("h1").address() + ":" + instance.path("port").asInt());
    assertThat(nginx.chat()).isEqualTo(200);
    assertThat(backend.stats().requests()).as("the chat reached the backend through h1's bridge").isPositive();
    JsonNode logs = nginx.api.get("/instances/" + b1 + "/logs?tail=50").body();
    assertThat(logs.path("lines").toString()).contains("listening on http://" + net.host("h1").address());
    assertThat(nginx.api.text("/hosts/h1/supervisor.conf").body()).contains("[program:ollama-bridge-b1]", data.resolve("h1").toString());
    JsonNode host = nginx.api.get("/hosts/h1").body();
    assertThat(host.path("applied_revision").asLong()).isEqualTo(host.path("desired_revision").asLong()).isPositive();
    assertThat(host.path("version").asText()).isNotBlank();
    assertThat(host.at("/resources/cores").asInt()).isPositive();
    assertThat(agent.alive()).isTrue();
  }

  @Test
  void aHostCutOffLeavesNginxWhileTheOtherServesEveryRequestAndComesBackByItself() throws Exception {
    cluster("h1", "h2");
    join("h1");
    join("h2");
    awaitState("h1", "Ready");
    awaitState("h2", "Ready");
    long b1 = bridgeOn("h1", "b1");
    bridgeOn("h2", "b2");
    nginx.awaitSettled(); // both bridges' models discovered: nginx routes fake-llama to both
    String b1Server = "server " + net.host("h1").address() + ":" + nginx.port(b1);

    try (ChatLoad load = new ChatLoad(nginx.nginxPort, 50)) {
      load.awaitMore(20);
      Instant cut = Instant.now();
      net.partition("h1");
      awaitState("h1", "NotReady");
      Duration notReadyAfter = Duration.between(cut, Instant.now());
      await().atMost(PATIENCE).until(() -> applied().anyMatch(line ->
          line.contains(b1Server) && line.contains(" down")));
      load.awaitMore(40); // traffic flows past the requests caught on the cut link
      net.heal("h1");
      awaitState("h1", "Ready");
      await().atMost(PATIENCE).until(() -> applied().anyMatch(line ->
          line.contains(b1Server) && !line.contains(" down")));
      load.awaitMore(20);
      load.stop();
      assertThat(load.failures).as("requests that failed across the partition").isEmpty();
      System.out.printf("partition: NotReady after %d ms; %d requests, slowest %d ms%n", notReadyAfter.toMillis(),
          load.answered.get(), load.slowestMs.get());
    }
  }

  @Test
  void aBridgeMovedToAnotherHostRunsThereBeforeItStopsHereAndNoRequestFails() throws Exception {
    cluster("h1", "h2");
    join("h1");
    join("h2");
    awaitState("h1", "Ready");
    awaitState("h2", "Ready");
    long b = bridgeOn("h1", "b");
    JsonNode before = nginx.api.get("/instances/" + b).body();
    long oldPid = before.at("/process/pid").asLong();

    try (ChatLoad load = new ChatLoad(nginx.nginxPort, 50)) {
      load.awaitMore(20);
      ConsoleClient.Answer moved = nginx.api.patch("/instances/" + b, "{\"host\":\"h2\",\"version\":"
          + before.path("version").asLong() + "}");
      assertThat(moved.status()).as(String.valueOf(moved.body())).isEqualTo(200);
      assertThat(ProcessHandle.of(oldPid).map(ProcessHandle::isAlive).orElse(false))
          .as("the bridge on h1 is stopped once the move answered").isFalse();
      load.awaitMore(40);
      load.stop();
      assertThat(load.failures).as("requests that failed during the move").isEmpty();
    }
    JsonNode after = nginx.api.get("/instances/" + b).body();
    assertThat(after.path("host").asText()).isEqualTo("h2");
    assertThat(after.path("listen_host").asText()).isEqualTo(net.host("h2").address());
    assertThat(after.at("/process/state").asText()).isEqualTo("RUNNING");
    nginx.awaitHealthy(b);
    assertThat(applied().anyMatch(line -> line.contains("server " + net.host("h2").address() + ":"))).isTrue();
    assertThat(applied().noneMatch(line -> line.contains(net.host("h1").address()))).isTrue();
  }

  @Test
  void aCrashedAgentsBridgesAreAdoptedByTheNextOneNotRestarted() throws Exception {
    cluster("h1");
    AgentProcess first = join("h1");
    awaitState("h1", "Ready");
    long b1 = bridgeOn("h1", "b1");
    long pid = nginx.api.get("/instances/" + b1).body().at("/process/pid").asLong();

    first.kill();
    assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive)).as("the bridge outlives its agent").hasValue(true);
    assertThat(nginx.chat()).isEqualTo(200);
    AgentProcess second = cluster.restartAgent("h1");

    await().atMost(PATIENCE).untilAsserted(() -> {
      JsonNode host = nginx.api.get("/hosts/h1").body();
      assertThat(host.path("connected").asBoolean()).as(second.output()).isTrue();
      assertThat(host.path("state").asText()).isEqualTo("Ready");
    });
    nginx.awaitHealthy(b1);
    assertThat(nginx.api.get("/instances/" + b1).body().at("/process/pid").asLong()).as(second.output()).isEqualTo(pid);
    assertThat(second.output()).doesNotContain("STOPPED → STARTING");
  }

  /** The lines of the config nginx serves; none while it is being swapped. */
  private java.util.stream.Stream<String> applied() {
    String config = nginx.appliedConfig();
    return config == null ? java.util.stream.Stream.empty() : config.lines();
  }

  /** The namespaces, the backend, the console with nginx and its agent listener. */
  private void cluster(String... hosts) throws IOException {
    cluster = HostsCluster.create(data, hosts);
    net = cluster.net;
    backend = cluster.backend;
    nginx = cluster.nginx;
  }

  private AgentProcess join(String host) {
    return cluster.join(host);
  }

  private void awaitState(String host, String state) {
    cluster.awaitState(host, state);
  }

  private long bridgeOn(String host, String name) {
    return cluster.bridgeOn(host, name);
  }
}
