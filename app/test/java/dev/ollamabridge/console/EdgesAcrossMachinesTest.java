package dev.ollamabridge.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ollamabridge.testing.NetworkHosts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Edges for real: two hosts in network namespaces whose agents run nginx with the cluster's
 * configuration, each in front of the bridges of both hosts at their advertised addresses. One
 * edge's nginx killed leaves the other's clients untouched; a change reaches both; an edge whose
 * {@code nginx -t} refuses (its host lacks the njs module) keeps serving its last good revision and
 * the console says which edge refused and why; an edge cut off while the cluster changed catches up
 * when it returns.
 */
class EdgesAcrossMachinesTest {

  private static final Duration PATIENCE = HostsCluster.PATIENCE;
  private static final Pattern LOAD_MODULE = Pattern.compile("^load_module (\\S+);$", Pattern.MULTILINE);

  @TempDir Path data;
  private HostsCluster cluster;
  private NetworkHosts net;
  private ManagedNginxFixture nginx;

  @AfterEach
  void stop() {
    Teardown.run(Teardown.closing(cluster));
  }

  @Test
  void twoEdgesServeOneRevisionOneKilledLeavesTheOthersClientsUntouchedAndAChangeReachesBoth() throws Exception {
    long b1 = cluster().b1();

    try (ChatLoad h2Clients = new ChatLoad(edgeUrl("h2"), 40)) {
      h2Clients.awaitMore(20);
      long master = edgeMasterPid("h1");
      ProcessHandle.of(master).orElseThrow().destroyForcibly(); // kill -9 h1's nginx
      await().atMost(PATIENCE).until(() -> edgeMasterPid("h1") != master);
      awaitCurrent("h1", "h2"); // h1's agent started it again, serving the same revision
      // its pid is written when it is spawned, before it listens: the new master answers soon after
      await().atMost(PATIENCE).ignoreException(java.net.ConnectException.class)
          .until(() -> new ChatLoadProbe(edgeUrl("h1")).chat() == 200);
      h2Clients.awaitMore(20);

      String before = nginx.api.get("/nginx/edges").body().path("revision").asText();
      JsonNode instance = nginx.api.get("/instances/" + b1).body();
      ConsoleClient.Answer changed = nginx.api.patch("/instances/" + b1, "{\"weight\":7,\"version\":"
          + instance.path("version").asLong() + "}");
      assertThat(changed.status()).as(String.valueOf(changed.body())).isEqualTo(200);
      awaitNewRevision(before);
      awaitCurrent("h1", "h2");
      awaitWeight("h1", 7, "h1", "h2");
      h2Clients.awaitMore(20);
      h2Clients.stop();
      assertThat(h2Clients.failures).as("requests to h2's edge that failed while h1's nginx was killed").isEmpty();
      System.out.printf("edges: %d requests through h2's edge, slowest %d ms%n", h2Clients.answered.get(),
          h2Clients.slowestMs.get());
    }
  }

  @Test
  void anEdgeWhoseNginxRefusesKeepsItsLastGoodRevisionTheConsoleSaysWhyAndItCatchesUpWhenItCan() throws Exception {
    long b1 = cluster().b1();
    Matcher module = LOAD_MODULE.matcher(edgeConfig("h2"));
    org.junit.jupiter.api.Assumptions.assumeTrue(module.find(), "nginx's njs is built in here: no module to take away");
    Path modules = Path.of(module.group(1)).getParent();

    // h2's agent again, now on a host without nginx's modules: the nginx it adopts keeps serving
    Path empty = Files.createDirectories(data.resolve("no-modules"));
    cluster.replaceAgent("h2", flags -> AgentProcess.startWithout(modules, empty, flags, cluster.agentData("h2"), net, "h2"));
    await().atMost(PATIENCE).until(() -> nginx.api.get("/hosts/h2").body().path("connected").asBoolean()
        && edge("h2").path("served").isTextual()); // the restarted agent reports the nginx it adopted
    String good = edge("h2").path("served").asText();

    try (ChatLoad h2Clients = new ChatLoad(edgeUrl("h2"), 20)) {
      h2Clients.awaitMore(10);
      JsonNode instance = nginx.api.get("/instances/" + b1).body();
      nginx.api.patch("/instances/" + b1, "{\"weight\":5,\"version\":" + instance.path("version").asLong() + "}");
      awaitWeight("h1", 5, "h1");
      await().atMost(PATIENCE).untilAsserted(() -> {
        JsonNode h2 = edge("h2");
        assertThat(h2.at("/last_attempt/result").asText()).as(h2.toString()).isEqualTo("rejected");
        assertThat(h2.at("/last_attempt/revision").asText()).isNotEqualTo(good);
        assertThat(nginx.api.get("/nginx/edges").body().path("summary").asText()).contains("h2 refused");
      });
      JsonNode h2 = edge("h2");
      assertThat(h2.at("/last_attempt/output").asText()).contains(module.group(1));
      assertThat(h2.path("served").asText()).as("h2 keeps its last good revision").isEqualTo(good);
      assertThat(edgeConfig("h2")).doesNotContainPattern("weight=5 ");
      assertThat(nginx.api.get("/nginx/edges").body().path("applied_everywhere").asBoolean()).isFalse();
      assertThat(nginx.api.get("/events?limit=200").body().toString()).contains("nginx.edge_rejected");
      h2Clients.awaitMore(10);
      h2Clients.stop();
      assertThat(h2Clients.failures).as("requests to the refusing edge").isEmpty();
    }

    // the modules back (its agent started as before): it applies the revision it was sent, by itself
    cluster.restartAgent("h2");
    awaitWeight("h1", 5, "h2");
    await().atMost(PATIENCE).until(() -> nginx.api.get("/nginx/edges").body().path("applied_everywhere").asBoolean());
  }

  @Test
  void anEdgeCutOffWhileTheClusterChangedCatchesUpWhenItReturns() throws Exception {
    long b2 = cluster().b2();
    String before = nginx.api.get("/nginx/edges").body().path("revision").asText();
    net.partition("h1");
    awaitState("h1", "NotReady");
    JsonNode instance = nginx.api.get("/instances/" + b2).body();
    nginx.api.patch("/instances/" + b2, "{\"weight\":9,\"version\":" + instance.path("version").asLong() + "}");
    awaitNewRevision(before);
    awaitCurrent("h2");
    assertThat(edge("h1").path("current").asBoolean()).as("h1 cannot have heard of it").isFalse();

    net.heal("h1");
    awaitState("h1", "Ready");
    awaitCurrent("h1", "h2");
    awaitWeight("h2", 9, "h1");
  }

  /**
   * Two hosts, both edges, each running one bridge (b1 on h1, b2 on h2) in front of one backend in the
   * root namespace; both edges serving the current revision, routing the model to both bridges.
   */
  private Bridges cluster() throws IOException {
    cluster = HostsCluster.create(data, "h1", "h2");
    net = cluster.net;
    nginx = cluster.nginx;
    cluster.joinAll("h1", "h2");
    for (String host : List.of("h1", "h2")) {
      ConsoleClient.Answer edge = nginx.api.patch("/hosts/" + host, "{\"edge\":true}");
      assertThat(edge.status()).as(String.valueOf(edge.body())).isEqualTo(200);
    }
    Bridges bridges = new Bridges(cluster.bridgeOn("h1", "b1"), cluster.bridgeOn("h2", "b2"));
    nginx.awaitSettled(); // both bridges' models discovered: the model routes to both
    awaitCurrent("h1", "h2");
    for (String host : List.of("h1", "h2")) {
      assertThat(edgeConfig(host)).contains("server " + net.host("h1").address() + ":",
          "server " + net.host("h2").address() + ":");
    }
    return bridges;
  }

  /** The ids of the bridges on h1 and h2. */
  private record Bridges(long b1, long b2) {}

  private String edgeUrl(String host) {
    return "http://" + net.host(host).address() + ":" + nginx.nginxPort;
  }

  private JsonNode edge(String host) {
    for (JsonNode edge : nginx.api.get("/nginx/edges").body().path("edges")) {
      if (edge.path("host").asText().equals(host)) {
        return edge;
      }
    }
    throw new AssertionError("no edge " + host + " in " + nginx.api.get("/nginx/edges").body());
  }

  /** Until each of these edges serves the cluster's current revision. */
  private void awaitCurrent(String... hosts) {
    await().atMost(PATIENCE).untilAsserted(() -> {
      for (String host : hosts) {
        JsonNode edge = edge(host);
        assertThat(edge.path("current").asBoolean()).as(host + ": " + edge + "\n" + cluster.agentOutputs()).isTrue();
      }
    });
  }

  /**
   * Until the configs these edges run give the bridge on {@code bridgeHost} this weight (the revision
   * itself may move on meanwhile: a health check or a model list makes a new one).
   */
  private void awaitWeight(String bridgeHost, int weight, String... edges) {
    String server = "server " + Pattern.quote(net.host(bridgeHost).address()) + ":\\d+ weight=" + weight + " ";
    await().atMost(PATIENCE).untilAsserted(() -> {
      for (String edge : edges) {
        assertThat(edgeConfig(edge)).as(edge).containsPattern(server);
      }
    });
  }

  /** The cluster's revision once it is not {@code before} any more. */
  private String awaitNewRevision(String before) {
    await().atMost(PATIENCE).until(() -> !nginx.api.get("/nginx/edges").body().path("revision").asText().equals(before));
    return nginx.api.get("/nginx/edges").body().path("revision").asText();
  }

  private void awaitState(String host, String state) {
    cluster.awaitState(host, state);
  }

  /** The config the host's edge nginx runs (the hosts share this machine's files). */
  private String edgeConfig(String host) throws IOException {
    return Files.readString(data.resolve(host + "/nginx/conf/nginx.conf"));
  }

  /** The pid of the host's edge nginx master, as its agent's supervisor wrote it; 0 while there is none. */
  private long edgeMasterPid(String host) {
    try {
      return Files.readString(data.resolve(host + "/run/edge.nginx.pid")).lines()
          .filter(line -> line.startsWith("pid=")).map(line -> Long.parseLong(line.substring(4).strip()))
          .findFirst().filter(pid -> ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).orElse(0L);
    } catch (IOException | RuntimeException e) {
      return 0L;
    }
  }

  /** One chat to an edge, outside any load. */
  private record ChatLoadProbe(String baseUrl) {
    int chat() throws IOException {
      okhttp3.Request request = new okhttp3.Request.Builder().url(baseUrl + "/api/chat")
          .post(okhttp3.RequestBody.create("{\"model\":\"fake-llama\",\"stream\":false,\"messages\":[{\"role\":\"user\","
              + "\"content\":\"probe\"}]}", okhttp3.MediaType.get("application/json"))).build();
      try (okhttp3.Response response = new okhttp3.OkHttpClient().newCall(request).execute()) {
        return response.code();
      }
    }
  }
}
