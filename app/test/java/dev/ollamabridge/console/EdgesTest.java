package dev.ollamabridge.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ollamabridge.cli.HostPort;
import dev.ollamabridge.console.web.Browser;
import dev.ollamabridge.link.Desired;
import dev.ollamabridge.link.EdgeReport;
import dev.ollamabridge.testing.TestPorts;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The console side of edges, against a real console (its agent listener on) and an agent the test
 * plays over the real link: the edge role set and refused through the API, with its events; the
 * config each edge is sent, whose revision is the console's own, sent again on a change and on a
 * reconnect; what an edge reports, hostile text included, on the Edges panel and the API, escaped and
 * bounded, and still there after the console restarts.
 */
class EdgesTest {

  private static final Duration PATIENCE = Duration.ofSeconds(60);
  private static final Pattern REVISION = Pattern.compile("^# Revision (\\S+)$", Pattern.MULTILINE);
  private static final String SCRIPT = "<script>alert(1)</script>";

  @TempDir Path data;
  @TempDir Path agentData;
  private ConsoleApp console;
  private ConsoleClient api;
  private EdgeLinkAgent agent;

  private void start() {
    console = TestConsoles.start(TestConsoles.offline(data)
        .withAgentListener(new HostPort("127.0.0.1", TestPorts.listenPort()), null), data);
    api = TestConsoles.client(console, data);
  }

  @AfterEach
  void stop() {
    if (agent != null) {
      agent.close();
    }
    if (console != null) {
      console.close();
    }
  }

  @Test
  void theEdgeRoleIsRefusedWithTheFieldAndRuleForBadInputLocalUnknownAndRevokedHosts() {
    start();
    agent = EdgeLinkAgent.join(api, "h2", agentData);

    ConsoleClient.Answer withPort = api.patch("/hosts/h2", "{\"edge\":true,\"edge_listen\":\"198.18.0.2:8080\"}");
    ConsoleClient.Answer marked = api.patch("/hosts/h2", "{\"edge\":true,\"edge_listen\":\"" + SCRIPT.replace("\"", "") + "\"}");
    ConsoleClient.Answer notBoolean = api.patch("/hosts/h2", "{\"edge\":\"yes\"}");
    ConsoleClient.Answer unknownField = api.patch("/hosts/h2", "{\"edge\":true,\"listen\":\"198.18.0.2\"}");
    ConsoleClient.Answer local = api.patch("/hosts/local", "{\"edge\":true}");
    ConsoleClient.Answer nowhere = api.patch("/hosts/nowhere", "{\"edge\":true}");
    ConsoleClient.Answer made = api.patch("/hosts/h2", "{\"edge\":true,\"edge_listen\":\"198.18.0.2\"}");
    ConsoleClient.Answer everywhere = api.patch("/hosts/h2", "{\"edge\":true}");

    assertThat(withPort.status()).isEqualTo(400);
    assertThat(withPort.field()).isEqualTo("edge_listen");
    assertThat(withPort.error()).contains("without a port", "198.18.0.2:8080");
    assertThat(marked.status()).isEqualTo(400);
    assertThat(marked.field()).isEqualTo("edge_listen");
    assertThat(notBoolean.status()).isEqualTo(400);
    assertThat(notBoolean.field()).isEqualTo("edge");
    assertThat(unknownField.status()).isEqualTo(400);
    assertThat(unknownField.field()).isEqualTo("listen");
    assertThat(local.status()).isEqualTo(409);
    assertThat(local.error()).contains("console's own", "nginx.mode");
    assertThat(nowhere.status()).isEqualTo(404);
    assertThat(made.status()).isEqualTo(200);
    assertThat(made.body().path("edge").asBoolean()).isTrue();
    assertThat(made.body().path("edge_listen").asText()).isEqualTo("198.18.0.2");
    assertThat(everywhere.body().path("edge_listen").isNull()).isTrue();
    String events = api.get("/events").body().toString();
    assertThat(events).contains("host.edge", "edge, listening on 198.18.0.2 at nginx.listen's port",
        "edge, listening on every address");

    Browser browser = Browser.loggedIn(console, data);
    var formRefused = browser.post("/hosts/h2/edge", java.util.Map.of("edge", "on", "edge_listen", SCRIPT));
    var formLocal = browser.post("/hosts/local/edge", java.util.Map.of("edge", "on"));
    assertThat(formRefused.status()).isEqualTo(400);
    assertThat(formRefused.body()).contains("edge_listen must be an IP address or a host name without a port",
        "&lt;script&gt;alert(1)&lt;/script&gt;").doesNotContain(SCRIPT);
    assertThat(formLocal.status()).isEqualTo(409);
    assertThat(formLocal.body()).contains("local's nginx is the console's own");

    assertThat(api.delete("/hosts/h2").status()).isEqualTo(204);
    ConsoleClient.Answer revoked = api.patch("/hosts/h2", "{\"edge\":false}");
    assertThat(revoked.status()).isEqualTo(409);
    assertThat(revoked.error()).contains("revoked");
  }

  @Test
  void anEdgeIsSentTheConsolesCurrentRevisionAgainAfterAChangeAndOnReconnecting() {
    start();
    agent = EdgeLinkAgent.join(api, "h2", agentData);
    await().atMost(PATIENCE).until(() -> agent.last() != null);
    assertThat(agent.last().edge()).as("no edge yet").isNull();

    api.patch("/hosts/h2", "{\"edge\":true}");
    Desired first = await().atMost(PATIENCE).until(agent::last, desired -> desired.edge() != null);
    String before = ownRevision();

    assertThat(first.edge().hash()).isEqualTo(before);
    int port = HostPort.parse(api.get("/settings").body().path("nginx.listen").asText()).port();
    assertThat(first.edge().listen()).isEqualTo("0.0.0.0:" + port);
    assertThat(first.edge().config()).contains("# Revision " + before, "listen " + port + ";", "pid nginx.pid;");

    assertThat(api.patch("/settings", "{\"nginx.keepalive\":17}").status()).isEqualTo(200);
    Desired changed = await().atMost(PATIENCE).until(agent::last,
        desired -> desired.edge() != null && !desired.edge().hash().equals(before));

    assertThat(changed.revision()).isGreaterThan(first.revision());
    assertThat(changed.edge().hash()).isEqualTo(ownRevision());
    assertThat(changed.edge().config()).contains("keepalive 17;");

    int sent = agent.received.size();
    agent.connect();
    Desired again = await().atMost(PATIENCE).until(() -> agent.received.size() > sent ? agent.last() : null,
        desired -> desired != null);
    assertThat(again.revision()).isEqualTo(changed.revision());
    assertThat(again.edge()).isEqualTo(changed.edge());

    api.patch("/hosts/h2", "{\"edge\":false}");
    Desired stopped = await().atMost(PATIENCE).until(agent::last, desired -> desired.edge() == null);
    assertThat(stopped.revision()).isGreaterThan(changed.revision());
  }

  @Test
  void aHostileEdgeReportIsShownEscapedAndBoundedItsRefusalRecordedAndItSurvivesARestart() {
    start();
    agent = EdgeLinkAgent.join(api, "h2", agentData);
    api.patch("/hosts/h2", "{\"edge\":true,\"edge_listen\":\"127.0.0.1\"}");
    String revision = await().atMost(PATIENCE).until(agent::last, desired -> desired != null && desired.edge() != null)
        .edge().hash();
    long now = System.currentTimeMillis();
    EdgeReport refused = new EdgeReport("not-a-hash" + SCRIPT, now, revision, "rejected",
        "nginx -t said " + SCRIPT + "\nand a second line", "nginx: [emerg] <img src=x onerror=alert(2)>\n" + "x".repeat(20_000),
        now, "<b>nginx</b> 1.22");

    await().atMost(PATIENCE).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
      agent.report(refused);
      assertThat(api.get("/nginx/edges").body().path("edges").get(0).path("last_attempt").path("result").asText())
          .isEqualTo("rejected");
    });
    JsonNode edges = api.get("/nginx/edges").body();
    JsonNode h2 = edges.path("edges").get(0);
    Browser browser = Browser.loggedIn(console, data);
    String panel = browser.get("/nginx/edges").body();
    String page = browser.get("/nginx").body();

    assertThat(h2.path("host").asText()).isEqualTo("h2");
    assertThat(h2.path("served").isNull()).as("a served revision that is no hash is dropped").isTrue();
    assertThat(h2.path("last_attempt").path("message").asText()).doesNotContain("\n").contains("a second line");
    assertThat(h2.path("last_attempt").path("output").asText().length()).isLessThanOrEqualTo(8 * 1024 + 2);
    assertThat(edges.path("applied_everywhere").asBoolean()).isFalse();
    assertThat(edges.path("summary").asText()).startsWith("Revision " + revision + " partly applied: h2 refused (nginx -t said");
    for (String shown : new String[] {panel, page}) {
      assertThat(shown).contains("id=\"edge-h2\"", "&lt;img src=x onerror=alert(2)&gt;", "nginx -t said &lt;script&gt;",
          "&lt;b&gt;nginx&lt;/b&gt; 1.22", "<summary>nginx -t output</summary>", ">refused</span>", "127.0.0.1:")
          .doesNotContain("<img src=x").doesNotContain(SCRIPT).doesNotContain("<b>nginx");
    }
    assertThat(api.get("/events").body().toString()).contains("nginx.edge_rejected", "host h2 refused revision " + revision);

    EdgeReport applied = new EdgeReport(revision, now + 1, revision, "applied", "applied", null, now + 1, "nginx 1.22");
    await().atMost(PATIENCE).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
      agent.report(applied);
      assertThat(api.get("/nginx/edges").body().path("applied_everywhere").asBoolean()).isTrue();
    });
    assertThat(api.get("/nginx/edges").body().path("summary").asText())
        .isEqualTo("Revision " + revision + " applied on every Ready edge");
    assertThat(api.get("/events").body().toString()).contains("nginx.edge_caught_up");

    agent.close();
    agent = null;
    console.close();
    start();
    JsonNode afterRestart = api.get("/nginx/edges").body().path("edges").get(0);
    assertThat(afterRestart.path("served").asText()).isEqualTo(revision);
    assertThat(afterRestart.path("served_since").asText()).isEqualTo(java.time.Instant.ofEpochMilli(now + 1).toString());
    assertThat(afterRestart.path("last_attempt").path("result").asText()).isEqualTo("applied");
  }

  private String ownRevision() {
    Matcher matcher = REVISION.matcher(api.text("/nginx/config").body());
    assertThat(matcher.find()).isTrue();
    return matcher.group(1);
  }
}
