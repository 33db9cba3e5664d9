package dev.ollamabridge.console.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ollamabridge.agent.Enrolled;
import dev.ollamabridge.agent.Enrolment;
import dev.ollamabridge.cli.HostPort;
import dev.ollamabridge.cli.Version;
import dev.ollamabridge.console.ConsoleApp;
import dev.ollamabridge.console.TestConsoles;
import dev.ollamabridge.link.HostFacts;
import dev.ollamabridge.link.LinkMessage;
import dev.ollamabridge.link.LinkPaths;
import dev.ollamabridge.link.Report;
import dev.ollamabridge.testing.TestPorts;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.WebSocket;
import okhttp3.WebSocketListener;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Hosts page as a browser without JavaScript gets it: how to turn the agent listener on when it is
 * off; Add host's command, once; names refused with their rule; and what an agent tells of itself
 * (its version, its JDK, an apply error: foreign text) shown escaped. The agent here is the test,
 * joining for real (TLS, the fingerprint pinned) and reporting over the real link.
 */
class HostsPageTest {

  private static final Duration PATIENCE = Duration.ofSeconds(60);
  private static final Pattern COMMAND = Pattern.compile("data-copy=\"(java -jar ollama-bridge.jar agent [^\"]+)\"");
  private static final String SCRIPT = "<script>alert(1)</script>";

  @TempDir Path data;
  @TempDir Path agentData;
  private ConsoleApp console;
  private Browser browser;
  private WebSocket link;

  private void start(boolean agentListener) {
    var config = TestConsoles.offline(data);
    console = TestConsoles.start(agentListener
        ? config.withAgentListener(new HostPort("127.0.0.1", TestPorts.listenPort()), null) : config, data);
    browser = Browser.loggedIn(console, data);
  }

  @AfterEach
  void stop() {
    if (link != null) {
      link.cancel();
    }
    if (console != null) {
      console.close();
    }
  }

  @Test
  void withTheAgentListenerOffThePageSaysHowToTurnItOnInsteadOfAddHost() {
    start(false);

    Page hosts = browser.get("/hosts");
    Page refused = browser.post("/hosts", Map.of("name", "gpu-1"));

    assertThat(hosts.status()).isEqualTo(200);
    assertThat(hosts.body()).contains("agent listener is off", "--agent-listen HOST:PORT", "--agent-url https://NAME:PORT",
        "id=\"host-local\"").doesNotContain("action=\"/hosts\"");
    assertThat(refused.status()).isEqualTo(409);
    assertThat(refused.body()).contains("start the console with --agent-listen HOST:PORT");
  }

  @Test
  void addHostShowsItsCommandOnceAndAMarkedUpNameIsRefusedAsText() {
    start(true);

    Page marked = browser.post("/hosts", Map.of("name", SCRIPT));
    Page added = browser.post("/hosts", Map.of("name", "gpu-1"));
    Page later = browser.get("/hosts");

    assertThat(marked.status()).isEqualTo(400);
    assertThat(marked.body()).contains("name must be lower-case letters", "value=\"&lt;script>alert(1)&lt;/script>\"")
        .doesNotContain(SCRIPT).doesNotContain("id=\"join-command\"");
    assertThat(added.status()).isEqualTo(200);
    String command = command(added);
    assertThat(command).matches("java -jar ollama-bridge.jar agent --console https://127\\.0\\.0\\.1:\\d+ --join [a-z0-9]{6}\\.[a-z0-9]{32}"
        + " --ca-sha256 sha256:[0-9a-f]{64} --advertise ADDRESS-OF-THIS-HOST --data \\./agent-data");
    assertThat(added.body()).contains("<mark>ADDRESS-OF-THIS-HOST</mark>", "id=\"join-fingerprint\">" + flag(command, "--ca-sha256"),
        "data-format=\"in\"");
    assertThat(later.body()).as("the token is shown once").doesNotContain(flag(command, "--join"))
        .contains("Join tokens not yet used", "<td class=\"name\">gpu-1</td>");
  }

  @Test
  void whatAnAgentReportsOfItselfIsShownAsTextAndARevokedHostIsNoLongerOffered() throws Exception {
    start(true);
    String command = command(browser.post("/hosts", Map.of("name", "h1")));
    Enrolled enrolled = Enrolment.ensure(agentData, flag(command, "--console"), flag(command, "--join"),
        flag(command, "--ca-sha256"), "127.0.0.1");
    OkHttpClient http = enrolled.okHttp(new OkHttpClient.Builder()).build();
    link = http.newWebSocket(new Request.Builder().url(flag(command, "--console") + LinkPaths.LINK)
        .header(LinkPaths.VERSION_HEADER, Version.current()).build(), new WebSocketListener() {});
    Report hostile = new Report(0, "cannot apply: " + SCRIPT, new HostFacts("9.9<img src=x onerror=alert(2)>", "127.0.0.1",
        "21 " + SCRIPT, 8, 32L << 30, 20L << 30, 100L << 30, System.currentTimeMillis()), List.of());
    String frame = new ObjectMapper().writerFor(LinkMessage.class).writeValueAsString(hostile);

    await().atMost(PATIENCE).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
      link.send(frame);
      assertThat(browser.get("/hosts/live").body()).contains("data-name=\"h1\" data-state=\"Ready\"");
    });
    String live = browser.get("/hosts/live").body();
    String page = browser.get("/hosts").body();

    for (String shown : List.of(live, page)) {
      assertThat(shown).contains("9.9&lt;img src=x onerror=alert(2)&gt;", "JDK 21 &lt;script&gt;alert(1)&lt;/script&gt;",
          "cannot apply: &lt;script&gt;alert(1)&lt;/script&gt;", "8 cores", "memory 20.0 / 32.0 GiB", "disk 100.0 GiB free")
          .doesNotContain("<img src=x").doesNotContain(SCRIPT);
    }
    assertThat(live).contains("<tbody id=\"host-rows\" hx-disable>", "applied 0, desired 1");
    assertThat(browser.get("/instances/new").body()).contains("<option value=\"h1\"", "h1 (Ready, 127.0.0.1)");

    Page revoked = browser.post("/hosts/h1/revoke", Map.of());
    assertThat(revoked.status()).isEqualTo(303);
    assertThat(revoked.location()).isEqualTo("/hosts?revoked=h1");
    assertThat(browser.get(revoked.location()).body()).contains("Host h1 was revoked", "data-name=\"h1\" data-state=\"Revoked\"")
        .doesNotContain("id=\"revoke-h1\"");
    assertThat(browser.get("/instances/new").body()).contains("<option value=\"local\"").doesNotContain("value=\"h1\"");
    assertThat(browser.get("/?host=h1").body()).contains("<option value=\"h1\" selected>On h1 · Revoked</option>");
  }

  @Test
  void theConsolesOwnSupervisorConfIsTheExportOfTheFilesPageAndAnUnknownHostHasNone() {
    start(false);

    Page local = browser.get("/hosts/local/supervisor.conf");
    Page unknown = browser.get("/hosts/nowhere/supervisor.conf");

    assertThat(local.status()).isEqualTo(303);
    assertThat(local.location()).isEqualTo("/files/supervisor.conf");
    assertThat(unknown.status()).isEqualTo(404);
  }

  @Test
  void theDashboardRefusesAHostFilterThatIsNoHostName() {
    start(false);

    Page marked = browser.get("/?host=" + java.net.URLEncoder.encode(SCRIPT, java.nio.charset.StandardCharsets.UTF_8));
    Page local = browser.get("/?host=local");

    assertThat(marked.status()).isEqualTo(400);
    assertThat(marked.body()).contains("host must be a host's name").doesNotContain(SCRIPT);
    assertThat(local.status()).isEqualTo(200);
    assertThat(browser.get("/?host=gone").body()).as("the select says what the rows show")
        .contains("<option value=\"gone\" selected>On gone (no such host)</option>");
  }

  @Test
  void aJoinTokenNotYetUsedCanBeRevoked() {
    start(true);
    browser.post("/hosts", Map.of("name", "gpu-2"));
    Matcher row = Pattern.compile("<tr id=\"join-([a-z0-9]{6})\">").matcher(browser.get("/hosts").body());
    assertThat(row.find()).isTrue();

    Page revoked = browser.post("/hosts/joins/" + row.group(1) + "/revoke", Map.of());

    assertThat(revoked.status()).isEqualTo(303);
    assertThat(browser.get(revoked.location()).body()).contains("The join token was revoked")
        .doesNotContain("id=\"join-" + row.group(1) + "\"").doesNotContain("Join tokens not yet used");
  }

  private static String command(Page added) {
    Matcher matcher = COMMAND.matcher(added.body());
    assertThat(matcher.find()).as("the join command in " + added.body()).isTrue();
    return matcher.group(1);
  }

  private static String flag(String command, String flag) {
    Matcher matcher = Pattern.compile(Pattern.quote(flag) + " (\\S+)").matcher(command);
    assertThat(matcher.find()).as(flag + " in " + command).isTrue();
    return matcher.group(1);
  }
}
