package dev.ollamabridge.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ollamabridge.cli.HostPort;
import dev.ollamabridge.cli.Version;
import dev.ollamabridge.files.OwnerOnly;
import dev.ollamabridge.link.LinkPaths;
import dev.ollamabridge.pki.CertificateAuthority;
import dev.ollamabridge.pki.CertificateRequests;
import dev.ollamabridge.pki.Identity;
import dev.ollamabridge.pki.Pem;
import dev.ollamabridge.pki.TlsContexts;
import dev.ollamabridge.testing.TestPorts;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.X509TrustManager;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.WebSocket;
import okhttp3.WebSocketListener;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Everything an agent can be refused for, each refused with one line saying why on the agent's side:
 * a wrong CA fingerprint, a used, expired or revoked token, a revoked host, plain HTTP, a client
 * certificate of another CA. Real agent processes against a real console on loopback.
 */
class AgentRefusalsTest {

  private static final Duration PATIENCE = Duration.ofSeconds(60);

  @TempDir Path data;
  private ConsoleApp console;
  private ConsoleClient api;
  private int agentPort;
  private final List<AgentProcess> agents = new ArrayList<>();

  @BeforeEach
  void start() {
    agentPort = TestPorts.listenPort();
    console = TestConsoles.start(TestConsoles.offline(data.resolve("console"))
        .withAgentListener(new HostPort("127.0.0.1", agentPort), null), data.resolve("console"));
    api = TestConsoles.client(console, data.resolve("console"));
  }

  @AfterEach
  void stop() {
    Teardown.run(() -> agents.forEach(AgentProcess::close), Teardown.closing(console));
  }

  @Test
  void aWrongFingerprintIsRefusedBeforeTheTokenIsSent() throws Exception {
    String command = addHost("h1").replaceAll("sha256:[0-9a-f]{64}", "sha256:" + "0".repeat(64));

    AgentProcess agent = run(AgentProcess.joining(command, "127.0.0.1", data.resolve("h1"), null, null));

    assertThat(agent.exitCode()).isEqualTo(1);
    assertThat(refusal(agent)).contains("sha256:" + "0".repeat(64)).contains(fingerprint());
    assertThat(api.get("/hosts/joins").body().toString()).as("the token was not used").contains("\"host\":\"h1\"");
  }

  @Test
  void aTokenJoinsOnceAndNeverAgain() throws Exception {
    String command = addHost("h1");
    run(AgentProcess.joining(command, "127.0.0.1", data.resolve("h1"), null, null));
    awaitState("h1", "Ready");

    AgentProcess again = run(AgentProcess.joining(command, "127.0.0.1", data.resolve("again"), null, null));

    assertThat(again.exitCode()).isEqualTo(1);
    assertThat(refusal(again)).contains("already used");
  }

  @Test
  void anExpiredTokenAndARevokedOneAreRefused() throws Exception {
    String expired = addHost("h1");
    String id = expired.replaceAll(".*--join ([a-z0-9]{6})\\..*", "$1");
    try (Connection db = DriverManager.getConnection("jdbc:sqlite:" + data.resolve("console/console.db"));
        PreparedStatement age = db.prepareStatement("UPDATE join_tokens SET expires_at = ? WHERE id = ?")) {
      age.setString(1, Instant.now().minusSeconds(1).toString()); // made an hour ago
      age.setString(2, id);
      assertThat(age.executeUpdate()).isEqualTo(1);
    }
    String revoked = addHost("h2");
    String revokedId = revoked.replaceAll(".*--join ([a-z0-9]{6})\\..*", "$1");
    assertThat(api.delete("/hosts/joins/" + revokedId).status()).isEqualTo(204);

    AgentProcess late = run(AgentProcess.joining(expired, "127.0.0.1", data.resolve("h1"), null, null));
    AgentProcess refused = run(AgentProcess.joining(revoked, "127.0.0.1", data.resolve("h2"), null, null));

    assertThat(late.exitCode()).isEqualTo(1);
    assertThat(refusal(late)).contains("expired");
    assertThat(refused.exitCode()).isEqualTo(1);
    assertThat(refusal(refused)).contains("revoked");
  }

  @Test
  void aRevokedHostIsRefusedAtOnceAndItsBridgesLeaveNginx() throws Exception {
    AgentProcess agent = run(AgentProcess.joining(addHost("h1"), "127.0.0.1", data.resolve("h1"), null, null));
    awaitState("h1", "Ready");
    ConsoleClient.Answer created = api.post("/instances", "{\"name\":\"b1\",\"host\":\"h1\",\"port\":"
        + TestPorts.listenPort() + ",\"upstream_url\":\"http://127.0.0.1:9\"}");
    assertThat(created.status()).as(String.valueOf(created.body())).isEqualTo(201);

    assertThat(api.delete("/hosts/h1").status()).isEqualTo(204);

    awaitState("h1", "Revoked");
    await().atMost(PATIENCE).untilAsserted(() -> assertThat(agent.output()).contains("the console refused this agent")
        .contains("revoked"));
    assertThat(api.get("/hosts/h1").body().path("connected").asBoolean()).isFalse();
    assertThat(api.text("/nginx/config").body()).containsPattern("server 127\\.0\\.0\\.1:\\d+ .*down.*# b1");
    ConsoleClient.Answer placed = api.post("/instances", "{\"name\":\"b2\",\"host\":\"h1\"}");
    assertThat(placed.status()).isEqualTo(400);
    assertThat(placed.error()).contains("revoked");
  }

  @Test
  void plainHttpIsRefusedByTheAgentAndByTheListener() throws Exception {
    String command = addHost("h1").replace("https://", "http://");

    AgentProcess agent = run(AgentProcess.joining(command, "127.0.0.1", data.resolve("h1"), null, null));

    assertThat(agent.exitCode()).isEqualTo(1);
    assertThat(refusal(agent)).contains("plain HTTP");
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    int status;
    try {
      status = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + agentPort + "/agent/v1/join"))
          .timeout(Duration.ofSeconds(10)).POST(HttpRequest.BodyPublishers.ofString("{}")).build(),
          HttpResponse.BodyHandlers.ofString()).statusCode();
    } catch (java.io.IOException e) {
      status = 0; // the TLS listener hung up on plain text
    }
    assertThat(status).as("a plain-HTTP join reaches nothing").isIn(0, 400);
  }

  @Test
  void aClientCertificateOfAnotherCaIsRefusedByTheAgentAndByTheConsole() throws Exception {
    run(AgentProcess.joining(addHost("h1"), "127.0.0.1", data.resolve("h1"), null, null));
    awaitState("h1", "Ready");
    agents.forEach(AgentProcess::kill);
    await().atMost(PATIENCE).until(() -> !api.get("/hosts/h1").body().path("connected").asBoolean());
    // the same host name, the console's CA trusted, but a certificate and key made by another CA
    CertificateAuthority other = CertificateAuthority.openOrCreate(data.resolve("other-ca"), "not the console");
    KeyPair key = CertificateRequests.newKeyPair();
    Path pki = data.resolve("forged/pki");
    OwnerOnly.directory(pki);
    Files.copy(data.resolve("h1/pki/ca.crt"), pki.resolve("ca.crt"));
    OwnerOnly.writeString(pki.resolve("agent.key"), Pem.encode(key.getPrivate()));
    OwnerOnly.writeString(pki.resolve("agent.crt"),
        Pem.encode(other.signClient(CertificateRequests.pem(key, "h1"), "h1", Duration.ofDays(1))));

    AgentProcess forged = run(AgentProcess.start(List.of("--console", "https://127.0.0.1:" + agentPort,
        "--advertise", "127.0.0.1", "--data", data.resolve("forged").toString()), data.resolve("forged"), null, null));

    assertThat(forged.exitCode()).isEqualTo(1);
    assertThat(refusal(forged)).contains("cannot use the credentials").contains("join again");
    // a client that presents such a certificate anyway never gets a link
    X509Certificate ca = Pem.certificate(Files.readString(pki.resolve("ca.crt")));
    Identity identity = new Identity(key.getPrivate(), List.of(Pem.certificate(Files.readString(pki.resolve("agent.crt")))));
    // the JDK's key manager does not even offer a certificate of a CA the server does not name: no certificate, 401
    assertThat(link(identity, ca, Version.current())).matches("(?s)refused 401.*|handshake failed: .*");
    assertThat(api.get("/hosts/h1").body().path("connected").asBoolean()).isFalse();
  }

  @Test
  void anAgentOfAnotherMinorVersionIsToldSoWithBothVersions() throws Exception {
    run(AgentProcess.joining(addHost("h1"), "127.0.0.1", data.resolve("h1"), null, null));
    awaitState("h1", "Ready");
    agents.forEach(AgentProcess::kill);
    await().atMost(PATIENCE).until(() -> !api.get("/hosts/h1").body().path("connected").asBoolean());
    // the host's own credentials, as a newer agent on that machine would hold them
    Path pki = data.resolve("h1/pki");
    X509Certificate ca = Pem.certificate(Files.readString(pki.resolve("ca.crt")));
    Identity identity = new Identity(Pem.privateKey(Files.readString(pki.resolve("agent.key"))),
        List.of(Pem.certificate(Files.readString(pki.resolve("agent.crt")))));

    String outcome = link(identity, ca, "99.1.0");

    assertThat(outcome).startsWith("refused 409").contains("99.1.0").contains(Version.current());
    assertThat(link(identity, ca, Version.current())).as("the same credentials at this version link").isEqualTo("linked");
  }

  /** Dials the link with these credentials and version: {@code linked}, or how it was refused. */
  private String link(Identity identity, X509Certificate ca, String version) throws Exception {
    X509TrustManager trust = TlsContexts.trusting(ca);
    OkHttpClient client = TlsContexts.okHttp(new OkHttpClient.Builder(), TlsContexts.context(identity, trust), trust).build();
    try {
      CompletableFuture<String> outcome = new CompletableFuture<>();
      client.newWebSocket(new Request.Builder().url("https://127.0.0.1:" + agentPort + LinkPaths.LINK)
          .header(LinkPaths.VERSION_HEADER, version).build(), new WebSocketListener() {
            @Override
            public void onOpen(WebSocket socket, Response response) {
              outcome.complete("linked");
              socket.close(1000, "done");
            }

            @Override
            public void onFailure(WebSocket socket, Throwable failure, Response response) {
              String body = "";
              try {
                body = response == null ? "" : response.peekBody(4096).string();
              } catch (java.io.IOException e) {
                body = e.toString();
              }
              outcome.complete(response != null ? "refused " + response.code() + " " + body : "handshake failed: " + failure);
            }
          });
      return outcome.get(30, TimeUnit.SECONDS);
    } finally {
      client.dispatcher().executorService().shutdown();
    }
  }

  private AgentProcess run(AgentProcess agent) {
    agents.add(agent);
    return agent;
  }

  private String addHost(String name) {
    ConsoleClient.Answer added = api.post("/hosts", "{\"name\":\"" + name + "\"}");
    assertThat(added.status()).as(String.valueOf(added.body())).isEqualTo(201);
    return added.body().path("command").asText();
  }

  private String fingerprint() {
    JsonNode added = api.post("/hosts", "{\"name\":\"probe\"}").body();
    return added.path("ca_sha256").asText();
  }

  /** The agent's refusal: one line on its way out. */
  private static String refusal(AgentProcess agent) {
    List<String> lines = agent.output().lines().filter(line -> !line.isBlank()).toList();
    assertThat(lines).as(agent.output()).isNotEmpty();
    return lines.get(lines.size() - 1);
  }

  private void awaitState(String host, String state) {
    await().atMost(PATIENCE).untilAsserted(() -> assertThat(api.get("/hosts/" + host).body().path("state").asText())
        .as(agents.stream().map(AgentProcess::output).toList().toString()).isEqualTo(state));
  }
}
