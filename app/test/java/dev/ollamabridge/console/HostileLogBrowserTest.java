package dev.ollamabridge.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * A backend's text never acts in the admin's browser: a bridge in front of a {@link HostileBackend}
 * logs the backend's bad status line, which carries markup htmx would act on (create an API token),
 * and the instance page, which follows that log, shows it as text and makes no request of its own.
 */
class HostileLogBrowserTest {

  private static final Duration PATIENCE = Duration.ofSeconds(90);
  /** What the page may ask by itself while it is open: its live parts, and nothing that changes anything. */
  private static final String RECORD_REQUESTS = """
      window.requestsMade = [];
      window.logSwaps = 0;
      document.addEventListener('htmx:beforeRequest', function (e) {
        window.requestsMade.push(e.detail.requestConfig.verb.toUpperCase() + ' ' + e.detail.requestConfig.path);
      });
      document.addEventListener('htmx:afterSwap', function (e) {
        if (e.detail.target && e.detail.target.id === 'log') window.logSwaps++;
      });
      """;

  private static Chromium browser;

  @TempDir
  Path data;

  private HostileBackend backend;
  private ConsoleApp console;
  private ConsoleClient api;

  @RegisterExtension
  static final ChromiumPerClass CHROMIUM = new ChromiumPerClass("hostile-log", 1280, 900);

  @BeforeAll
  static void takeBrowser() {
    browser = CHROMIUM.browser();
  }

  @BeforeEach
  void start() throws IOException {
    backend = HostileBackend.start()
        .on("GET /api/tags", HostileBackend.raw(HostileBackend.MARKUP_STATUS_LINE + "\r\n\r\n"));
    console = TestConsoles.start(data);
    api = TestConsoles.client(console, data);
    ConsoleClient.Answer settings = api.patch("/settings", "{\"health.interval_ms\":300,\"health.rise\":1}");
    assertThat(settings.status()).as(String.valueOf(settings.body())).isEqualTo(200);
  }

  @AfterEach
  void stop() {
    try {
      if (console != null) {
        console.close();
      }
    } finally {
      if (backend != null) {
        backend.close();
      }
    }
  }

  @Test
  void aBackendsMarkupInTheBridgesLogIsShownAsTextAndDoesNothing() {
    long id = created("hostile");
    // the console's own model discovery asks the bridge, which asks the backend and logs its status line
    await().atMost(PATIENCE).untilAsserted(() -> assertThat(backend.requests())
        .as("what the backend was asked; the instance: " + api.get("/instances/" + id).body()).contains("GET /api/tags"));
    List<String> eventsBefore = webEvents();

    browser.fresh("hostile-log", 1280, 900);
    logIn();
    openWatching(id);
    browser.awaitText("#log", "XTTP/1.1", PATIENCE);
    awaitMoreLogPolls(3);
    browser.driver.executeScript("document.getElementById('log').scrollIntoView()");
    browser.screenshot("bridge-logged-markup");

    assertNothingHappened(id, eventsBefore);
    assertThat(browser.find("#log").getText()).contains("XTTP/1.1").contains("hx-post");
    browser.assertNoConsoleErrors();
  }

  @Test
  void rawMarkupWrittenIntoTheInstancesLogIsShownLiterallyAtAnyWidth() throws IOException {
    long id = created("raw-log");
    await().atMost(PATIENCE).until(() -> api.get("/instances/" + id).body().at("/process/state").asText().equals("RUNNING"));
    // as a bridge that did not escape its log would have written it, with a second payload that runs as a script
    String script = "<script>fetch('/tokens',{method:'POST'})</script><b onmouseover=alert(1)>bold</b>";
    Files.writeString(data.resolve("logs").resolve("raw-log.log"),
        HostileBackend.MARKUP_STATUS_LINE + "\n" + script + "\n", StandardCharsets.UTF_8,
        StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    List<String> eventsBefore = webEvents();

    for (int width : new int[] {1280, 390}) {
      browser.fresh("raw-log-" + width, width, 900);
      logIn();
      openWatching(id);
      browser.awaitText("#log", HostileBackend.MARKUP_STATUS_LINE, PATIENCE);
      awaitMoreLogPolls(3);
      browser.driver.executeScript("document.getElementById('log').scrollIntoView()");
      browser.screenshot("markup-as-text");
      assertThat(browser.driver.executeScript("return document.documentElement.scrollWidth - document.documentElement.clientWidth"))
          .as("how far the page spills sideways").isEqualTo(0L);
      browser.driver.executeScript("document.querySelector('section[aria-label=Events]').scrollIntoView()");
      browser.screenshot("events");

      String shown = browser.find("#log").getText();
      assertThat(shown).contains(HostileBackend.MARKUP_STATUS_LINE, script);
      assertThat(browser.all("#log *:not(code)")).as("no element made of the log's text").isEmpty();
      browser.assertNoConsoleErrors();
      assertNothingHappened(id, eventsBefore);
    }
  }

  private long created(String name) {
    ConsoleClient.Answer created = api.post("/instances",
        "{\"name\":\"" + name + "\",\"upstream_url\":\"" + backend.baseUrl() + "\"}");
    assertThat(created.status()).as(String.valueOf(created.body())).isEqualTo(201);
    return created.body().path("id").asLong();
  }

  private void logIn() {
    browser.open("http://127.0.0.1:" + console.port() + "/login");
    WebElement field = browser.await("input[name=password]", PATIENCE);
    field.sendKeys(password());
    browser.find("form button[type=submit]").click();
    browser.await("#add-instance", PATIENCE);
  }

  /** Opens the instance page and, from then on, notes every request htmx makes and every swap of the log. */
  private void openWatching(long id) {
    browser.open("http://127.0.0.1:" + console.port() + "/instances/" + id);
    browser.await("#log", PATIENCE);
    browser.driver.executeScript(RECORD_REQUESTS);
  }

  /** Polls of the log since the page was opened: the page has had its chances to act on what it showed. */
  private void awaitMoreLogPolls(long count) {
    long seen = ((Number) browser.driver.executeScript("return window.logSwaps")).longValue();
    new WebDriverWait(browser.driver, PATIENCE).until(driver ->
        ((Number) browser.driver.executeScript("return window.logSwaps")).longValue() >= seen + count);
  }

  @SuppressWarnings("unchecked")
  private void assertNothingHappened(long id, List<String> eventsBefore) {
    List<String> requests = new ArrayList<>((List<String>) browser.driver.executeScript("return window.requestsMade"));
    assertThat(requests).as("what the page asked by itself").isNotEmpty()
        .allMatch(request -> request.equals("GET /instances/" + id + "/logs") || request.equals("GET /instances/" + id + "/now"));
    assertThat(browser.all("[hx-post='/tokens'], #log img, #log script")).as("elements made of the log's text").isEmpty();
    assertThat(tokenNames()).as("API tokens").doesNotContain("pwned");
    JsonNode instance = api.get("/instances/" + id).body();
    assertThat(instance.at("/process/state").asText()).isEqualTo("RUNNING");
    assertThat(instance.at("/process/restarts").asInt()).isZero();
    assertThat(webEvents()).as("events of the admin's session beyond its logins").isEqualTo(eventsBefore);
  }

  /** The events the web pages recorded, except the test's own logins. */
  private List<String> webEvents() {
    List<String> events = new ArrayList<>();
    for (JsonNode event : api.get("/events?limit=1000").body().path("events")) {
      String action = event.path("action").asText();
      if (event.path("actor").asText().startsWith("web:") && !action.equals("login")
          || action.startsWith("token.") || action.startsWith("instance.stop")) {
        events.add(event.path("actor").asText() + " " + action + " " + event.path("target").asText());
      }
    }
    return events;
  }

  /** The names in the console's tokens table (the REST API does not list tokens). */
  private List<String> tokenNames() {
    try (Connection db = DriverManager.getConnection("jdbc:sqlite:" + data.resolve("console.db"));
        ResultSet rows = db.createStatement().executeQuery("SELECT name FROM api_tokens")) {
      List<String> names = new ArrayList<>();
      while (rows.next()) {
        names.add(rows.getString(1));
      }
      return names;
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  private String password() {
    try {
      return Files.readString(data.resolve("admin-password")).strip();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
