package dev.ollamabridge.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ollamabridge.console.jdk.FakeJdks;
import dev.ollamabridge.console.settings.Setting;
import dev.ollamabridge.fake.FakeOllama;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.WebElement;

/**
 * What the health column says, in real headless Chromium against a console with real bridges: a
 * bridge that is still starting reads "starting", never "unhealthy", and no address carries Java's
 * {@code /} prefix; a bridge whose backend is down or answers 503 says so, in the bridge's words, and
 * a banner says that no instance is up and what to check.
 */
class HealthWordsBrowserTest {

  private static final Duration PATIENCE = Duration.ofSeconds(90);
  private static Chromium browser;

  @TempDir Path data;
  @TempDir Path jdks;
  private FakeOllama backend;
  private HostileBackend failing;
  private ConsoleApp console;
  private ConsoleClient api;

  @RegisterExtension
  static final ChromiumPerClass CHROMIUM = new ChromiumPerClass("health-words", 1280, 800);

  @BeforeAll
  static void takeBrowser() {
    browser = CHROMIUM.browser();
  }

  @AfterEach
  void stop() throws Exception {
    try {
      if (console != null) {
        for (JsonNode instance : api.get("/instances").body()) {
          api.delete("/instances/" + instance.path("id").asLong() + "?version=" + instance.path("version").asLong());
        }
        console.close();
      }
    } finally {
      if (backend != null) {
        backend.close();
      }
      if (failing != null) {
        failing.close();
      }
    }
  }

  @Test
  void aBridgeHeldInStartingReadsStartingNeverUnhealthyAndItsAddressHasNoSlash() throws Exception {
    Path gate = jdks.resolve("let-it-start");
    Path java = FakeJdks.heldUntil(jdks.resolve("jdk-17"), "17.0.15", gate);
    backend = FakeOllama.start(FakeOllama.Options.defaults().withTokens(4));
    console = TestConsoles.start(TestConsoles.offline(data).withOperator(Setting.BRIDGE_JAVA, java.toString()), data);
    api = TestConsoles.client(console, data);
    // checks every 200 ms; a generous timeout, so that a cold bridge slow to answer on a busy machine is no failure
    assertThat(api.patch("/settings", "{\"default_upstream\":\"" + backend.baseUrl()
        + "\",\"health.interval_ms\":200,\"health.timeout_ms\":10000}").status()).isEqualTo(200);
    browser.fresh("starting", 1280, 800);
    logIn();
    recordHealthCells();

    browser.find("#add-instance").click();
    browser.await("tr[data-name='bridge-1']", PATIENCE);
    long id = api.get("/instances").body().get(0).path("id").asLong();
    // the checks have failed while the bridge is held: what the old dashboard showed as "unhealthy"
    await().atMost(PATIENCE).until(() -> {
      JsonNode instance = api.get("/instances/" + id).body();
      return instance.at("/process/state").asText().equals("STARTING") && instance.at("/health/failures").asInt() > 0;
    });
    Object failedBy = browser.driver.executeScript("return Date.now()");
    await().atMost(PATIENCE).until(() -> Boolean.TRUE.equals(browser.driver.executeScript(
        "return window.pollsStarted.some(started => started >= arguments[0])", failedBy)));

    WebElement health = browser.find("tr[data-name='bridge-1'] [data-field=health]");
    assertThat(health.getText()).isEqualTo("starting");
    assertThat(browser.find("tr[data-name='bridge-1']").getText()).doesNotContain("unhealthy", "/127.0.0.1");
    assertThat(api.get("/instances/" + id).body().at("/health/state").asText()).isEqualTo("starting");
    assertThat(api.get("/instances/" + id + "/health").body().path("state").asText()).isEqualTo("starting");
    browser.screenshot("held-in-starting");
    browser.driver.manage().window().setSize(new org.openqa.selenium.Dimension(390, 844));
    browser.screenshot("held-in-starting-phone");
    browser.driver.manage().window().setSize(new org.openqa.selenium.Dimension(1280, 800));

    Files.createFile(gate);
    browser.awaitText("tr[data-name='bridge-1'] [data-field=state]", "RUNNING", PATIENCE);
    browser.awaitText("tr[data-name='bridge-1'] [data-field=health]", "healthy", PATIENCE);
    browser.screenshot("running-healthy");

    @SuppressWarnings("unchecked")
    List<String> seen = (List<String>) browser.driver.executeScript("return window.healthSeen");
    assertThat(seen).as("every health cell the dashboard showed, from Add to healthy").isNotEmpty()
        .noneMatch(text -> text.contains("unhealthy")).noneMatch(text -> text.matches("(?s).*/\\d.*"));
    browser.assertNoConsoleErrors();
  }

  @Test
  void withTheBackendDownOrAnswering503EachRowSaysTheBridgesReasonAndABannerSaysNoInstanceIsUp() throws Exception {
    failing = HostileBackend.start().on("GET /api/version", answer(503, "{\"error\":\"overloaded\"}"));
    int closed;
    try (ServerSocket nothing = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      closed = nothing.getLocalPort();
    }
    console = TestConsoles.start(data);
    api = TestConsoles.client(console, data);
    assertThat(api.patch("/settings", "{\"health.interval_ms\":200}").status()).isEqualTo(200);
    String failingPort = failing.baseUrl().substring(failing.baseUrl().lastIndexOf(':') + 1);
    api.post("/instances", "{\"name\":\"answers-503\",\"upstream_url\":\"" + failing.baseUrl() + "\"}");
    api.post("/instances", "{\"name\":\"backend-down\",\"upstream_url\":\"http://127.0.0.1:" + closed + "\"}");
    for (String name : List.of("answers-503", "backend-down")) {
      await().atMost(PATIENCE).until(() -> healthOf(name).equals("unhealthy"));
    }

    browser.fresh("backend-down", 1280, 800);
    logIn();
    browser.awaitText("tr[data-name='answers-503'] td[data-label=Health]",
        "upstream 127.0.0.1:" + failingPort + " answered 503", PATIENCE);
    browser.awaitText("tr[data-name='backend-down'] td[data-label=Health]",
        "upstream 127.0.0.1:" + closed + " refused the connection", PATIENCE);
    WebElement banner = browser.await("#summary .outage[role=alert]", PATIENCE);
    assertThat(banner.getText()).contains("No instance is up").contains("upstream 127.0.0.1:" + closed)
        .contains("Check");
    assertThat(browser.find(".rows-area").getText()).doesNotContain("GET /health answered", "java.net", "/127.0.0.1");
    browser.screenshot("rows-say-why-banner");
    browser.driver.manage().window().setSize(new org.openqa.selenium.Dimension(390, 844));
    browser.screenshot("rows-say-why-banner-phone");
    browser.driver.executeCdpCommand("Emulation.setEmulatedMedia",
        Map.of("features", List.of(Map.of("name", "prefers-color-scheme", "value", "dark"))));
    browser.screenshot("rows-say-why-banner-phone-dark");
    browser.driver.manage().window().setSize(new org.openqa.selenium.Dimension(1280, 800));
    browser.screenshot("rows-say-why-banner-dark");
    browser.assertNoConsoleErrors();
  }

  @Test
  void anExternalBridgesReasonIsForeignTextShownEscapedAndBounded() throws Exception {
    String markup = "<img src=x id=injected onerror=alert(1)>";
    failing = HostileBackend.start().on("GET /health",
        answer(503, "{\"status\":\"degraded\",\"reason\":\"" + markup + "\\u202e\\n" + "x".repeat(5_000) + "\"}"));
    int port = Integer.parseInt(failing.baseUrl().substring(failing.baseUrl().lastIndexOf(':') + 1));
    console = TestConsoles.start(data);
    api = TestConsoles.client(console, data);
    assertThat(api.patch("/settings", "{\"health.interval_ms\":200}").status()).isEqualTo(200);
    api.post("/instances", "{\"name\":\"foreign\",\"managed\":false,\"port\":" + port + "}");
    await().atMost(PATIENCE).until(() -> healthOf("foreign").equals("unhealthy"));

    String error = api.get("/instances").body().get(0).at("/health/last_error").asText();
    assertThat(error).startsWith(markup).doesNotContain("\n", "\u202e").hasSizeLessThan(230);
    browser.fresh("foreign-reason", 1280, 800);
    logIn();
    browser.awaitText("tr[data-name='foreign'] td[data-label=Health]", markup, PATIENCE);
    assertThat(browser.all("#injected")).as("the reason is text, never markup").isEmpty();
    browser.screenshot("foreign-reason");
  }

  private String healthOf(String name) {
    for (JsonNode instance : api.get("/instances").body()) {
      if (instance.path("name").asText().equals(name)) {
        return instance.at("/health/state").asText();
      }
    }
    return "";
  }

  /** A well-formed answer with this status and JSON body. */
  private static HostileBackend.Answer answer(int status, String body) {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    return out -> {
      out.write(("HTTP/1.1 " + status + " Whatever\r\nContent-Type: application/json\r\nContent-Length: " + bytes.length
          + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      out.write(bytes);
    };
  }

  /**
   * Every text the health cells take from now on, as rows are swapped in; and when each poll of the
   * dashboard that has been answered was sent, so that a test can wait for one sent after a moment.
   */
  private void recordHealthCells() {
    browser.driver.executeScript("""
        window.pollsStarted = [];
        document.body.addEventListener('htmx:beforeRequest', e => {
          if (e.detail.elt.id === 'live-poll') e.detail.elt.dataset.started = Date.now();
        });
        document.body.addEventListener('htmx:afterRequest', e => {
          if (e.detail.elt.id === 'live-poll') window.pollsStarted.push(Number(e.detail.elt.dataset.started));
        });
        window.healthSeen = [];
        const record = () => document.querySelectorAll('td[data-label=Health]')
            .forEach(cell => window.healthSeen.push(cell.textContent.replace(/\\s+/g, ' ').trim()));
        new MutationObserver(record).observe(document.body, {childList: true, subtree: true, characterData: true});
        """);
  }

  private void logIn() throws Exception {
    browser.logIn("http://127.0.0.1:" + console.port() + "/", Files.readString(data.resolve("admin-password")).strip(),
        PATIENCE);
    browser.await("#add-instance", PATIENCE);
  }
}
