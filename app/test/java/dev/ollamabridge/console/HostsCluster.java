package dev.ollamabridge.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ollamabridge.cli.HostPort;
import dev.ollamabridge.fake.FakeOllama;
import dev.ollamabridge.testing.NetworkHosts;
import dev.ollamabridge.testing.TestPorts;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A cluster on one machine for the tests across machines: hosts as network namespaces, a fake
 * backend in the root namespace that every host reaches, the console (in this JVM) with its nginx and
 * its agent listener on the root namespace's address, and, for each host that {@link #join}s, a real
 * agent process in its namespace, run with the command the console shows.
 */
final class HostsCluster implements AutoCloseable {

  static final Duration PATIENCE = Duration.ofSeconds(90);

  final NetworkHosts net;
  final FakeOllama backend;
  final ManagedNginxFixture nginx;
  private final Path data;
  private final int agentPort;
  private final Map<String, AgentProcess> agents = new LinkedHashMap<>();

  private HostsCluster(Path data, NetworkHosts net, FakeOllama backend, int agentPort, ManagedNginxFixture nginx) {
    this.data = data;
    this.net = net;
    this.backend = backend;
    this.agentPort = agentPort;
    this.nginx = nginx;
  }

  /** The namespaces, the backend, the console with nginx and its agent listener; no host joined yet. */
  static HostsCluster create(Path data, String... hosts) throws IOException {
    NetworkHosts net = NetworkHosts.create(hosts);
    FakeOllama backend = null;
    try {
      backend = FakeOllama.start(FakeOllama.Options.defaults().withListen(new HostPort(net.rootAddress(), 0)));
      int agentPort = TestPorts.listenPort();
      ManagedNginxFixture nginx = new ManagedNginxFixture(data,
          config -> config.withAgentListener(new HostPort(net.rootAddress(), agentPort), null));
      return new HostsCluster(data, net, backend, agentPort, nginx);
    } catch (IOException | RuntimeException e) {
      Teardown.run(Teardown.closing(backend), Teardown.closing(net));
      throw e;
    }
  }

  /** Add host, then the command it shows, run in the host's namespace; its data under {@code <data>/<host>}. */
  AgentProcess join(String host) {
    ConsoleClient.Answer added = nginx.api.post("/hosts", "{\"name\":\"" + host + "\"}");
    assertThat(added.status()).as(String.valueOf(added.body())).isEqualTo(201);
    AgentProcess agent = AgentProcess.joining(added.body().path("command").asText(), net.host(host).address(),
        agentData(host), net, host);
    agents.put(host, agent);
    return agent;
  }

  /** Joins every host and waits until each is Ready. */
  void joinAll(String... hosts) {
    for (String host : hosts) {
      join(host);
    }
    for (String host : hosts) {
      awaitState(host, "Ready");
    }
  }

  /** The host's agent killed (-9; its bridges and nginx go on) and {@code next} in its place. */
  AgentProcess replaceAgent(String host, java.util.function.Function<List<String>, AgentProcess> next) {
    agents.get(host).kill();
    AgentProcess agent = next.apply(agentFlags(host));
    agents.put(host, agent);
    return agent;
  }

  /** A joined host's agent started again, as its operator would: no token, no fingerprint. */
  AgentProcess restartAgent(String host) {
    return replaceAgent(host, flags -> AgentProcess.start(flags, agentData(host), net, host));
  }

  /** The flags an agent of a host that joined starts with. */
  List<String> agentFlags(String host) {
    return List.of("--console", "https://" + new HostPort(net.rootAddress(), agentPort), "--advertise",
        net.host(host).address(), "--data", agentData(host).toString());
  }

  Path agentData(String host) {
    return data.resolve(host);
  }

  void awaitState(String host, String state) {
    await().atMost(PATIENCE).untilAsserted(() -> assertThat(nginx.api.get("/hosts/" + host).body().path("state").asText())
        .as(agentOutputs()).isEqualTo(state));
  }

  /** A bridge on the host in front of the backend, running, healthy and served by nginx; its id. */
  long bridgeOn(String host, String name) {
    ConsoleClient.Answer created = nginx.api.post("/instances", "{\"name\":\"" + name + "\",\"host\":\"" + host
        + "\",\"upstream_url\":\"" + backend.baseUrl() + "\"}");
    assertThat(created.status()).as(String.valueOf(created.body())).isEqualTo(201);
    long id = created.body().path("id").asLong();
    nginx.awaitHealthy(id);
    nginx.awaitServing(name);
    return id;
  }

  /** What every agent printed, for failure messages. */
  String agentOutputs() {
    return agents.values().stream().map(AgentProcess::output).toList().toString();
  }

  @Override
  public void close() {
    Teardown.run(() -> agents.values().forEach(AgentProcess::close), Teardown.closing(nginx), Teardown.closing(backend),
        Teardown.closing(net));
  }
}
