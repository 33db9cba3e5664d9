package dev.ollamabridge.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ollamabridge.fake.FakeOllama;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import okhttp3.FormBody;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.Alert;
import org.openqa.selenium.Cookie;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The web console as a new user meets it, in real headless Chromium (one for the class, fresh for
 * each test) against a real console: with its own nginx and the built-in fake backend where a test
 * follows traffic, alone where it only needs pages. Each step leaves a screenshot in
 * {@code target/screenshots/}.
 */
class WebConsoleBrowserTest {

  private static final Duration PATIENCE = Duration.ofSeconds(60);
  private static final OkHttpClient HTTP = new OkHttpClient.Builder().followRedirects(false).build();
  private static Chromium browser;

  @TempDir
  Path data;

  private FakeOllama backend;
  private ManagedNginxFixture nginx;
  private ConsoleApp console;
  private ConsoleClient api;
  private String base;
  private String password;

  @RegisterExtension
  static final ChromiumPerClass CHROMIUM = new ChromiumPerClass("web-console", 1280, 900);

  @BeforeAll
  static void takeBrowser() {
    browser = CHROMIUM.browser();
  }

  @AfterEach
  void stop() {
    try {
      if (nginx != null) {
        nginx.close();
      }
    } finally {
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
  }

  /**
   * A console with its own nginx in front of the fake backend, its instances from a random high
   * port, reading the bridges' metrics every second.
   */
  private void startWithNginx() throws IOException {
    backend = FakeOllama.start(FakeOllama.Options.defaults().withTokens(4));
    nginx = new ManagedNginxFixture(data);
    api = nginx.api;
    ConsoleClient.Answer settings = api.patch("/settings", "{\"default_upstream\":\"" + backend.baseUrl()
        + "\",\"metrics.scrape_interval_ms\":1000}");
    assertThat(settings.status()).as(String.valueOf(settings.body())).isEqualTo(200);
    opened(nginx.console);
  }

  /** A console alone: no nginx, no backend, no bridge running. */
  private void startAlone() throws IOException {
    console = TestConsoles.start(data);
    api = TestConsoles.client(console, data);
    opened(console);
  }

  private void opened(ConsoleApp started) throws IOException {
    base = "http://127.0.0.1:" + started.port();
    password = Files.readString(data.resolve("admin-password")).strip();
  }

  @Test
  void aNewUserLogsInAddsAnInstanceEditsWatchesStopsStartsAndRemovesIt() throws IOException {
    startWithNginx();
    browser.fresh("journey", 1280, 900);

    // a wrong password is refused, the right one opens the dashboard
    browser.open(base + "/");
    browser.await("input[name=password]", PATIENCE);
    assertThat(browser.driver.getCurrentUrl()).contains("/login");
    logIn("not-the-password");
    browser.awaitText("[role=alert]", "Wrong user or password", PATIENCE);
    browser.screenshot("login-refused");
    logIn(password);
    browser.await("#add-instance", PATIENCE);
    browser.screenshot("empty-dashboard");

    // one click: the row appears at once and turns RUNNING and healthy in place, without a reload
    browser.driver.executeScript("window.stillTheSamePage = true");
    long clicked = System.nanoTime();
    browser.find("#add-instance").click();
    browser.await("tr[data-name='bridge-1']", PATIENCE);
    browser.awaitText("tr[data-name='bridge-1'] [data-field=state]", "RUNNING", PATIENCE);
    browser.awaitText("tr[data-name='bridge-1'] [data-field=health]", "healthy", PATIENCE);
    long millis = (System.nanoTime() - clicked) / 1_000_000;
    System.out.println("web console: Add instance click to a RUNNING, healthy row in " + millis + " ms");
    assertThat(browser.driver.executeScript("return window.stillTheSamePage === true")).isEqualTo(true);
    browser.screenshot("instance-running-healthy");
    // a running row's four actions fit in its row at 1280 px, none cut off
    // (measured in one script: the row is drawn again as the page polls, which leaves found elements stale)
    @SuppressWarnings("unchecked")
    List<Number> rights = (List<Number>) browser.driver.executeScript(
        "const row = document.querySelector(\"tr[data-name='bridge-1']\");"
            + "return [row.querySelector('button.danger').getBoundingClientRect().right,"
            + " row.querySelector('td.row-actions').getBoundingClientRect().right].map(Math.round);");
    assertThat(rights.get(0).longValue()).as("the Remove button's right edge, then its cell's: %s", rights)
        .isLessThanOrEqualTo(rights.get(1).longValue());

    // its page: a new weight is a new nginx revision; the log follows the bridge
    browser.find("tr[data-name='bridge-1'] a.name").click();
    WebElement weight = browser.await("input[name=weight]", PATIENCE);
    weight.clear();
    weight.sendKeys("7");
    browser.find(".instance-form button[type=submit]").click();
    browser.awaitText("[role=status]", "Saved", PATIENCE);
    // another apply (the models the new bridge reported) may land first: wait for the one with the weight
    await().atMost(PATIENCE).until(() -> {
      String config = nginx.appliedConfig(); // null until nginx serves the newest applied revision
      return config != null && config.contains("weight=7");
    });
    browser.awaitText("#log", "listening on", PATIENCE);
    // the charts reload as often as the console reads the bridge (the setting), and fill in after two reads
    assertThat(browser.find("#charts").getAttribute("data-every-ms")).isEqualTo("1000");
    new WebDriverWait(browser.driver, PATIENCE).until(driver -> !browser.find("#charts .chart-note").isDisplayed());
    for (int i = 0; i < 6; i++) {
      assertThat(nginx.chat("question " + i % 3)).isEqualTo(200);
    }
    // "Now" is the last interval between two reads: while a repeated question keeps coming, every
    // interval has cache hits, and the panel shows their ratio at its next refresh
    new WebDriverWait(browser.driver, PATIENCE).until(driver -> {
      assertThat(nginx.chat("question 0")).isEqualTo(200);
      return browser.text("#now").contains("%");
    });
    int points = Integer.parseInt(browser.find("#charts").getAttribute("data-points"));
    new WebDriverWait(browser.driver, PATIENCE).until(driver ->
        Integer.parseInt(browser.find("#charts").getAttribute("data-points")) > points);
    browser.screenshot("instance-page");
    browser.driver.executeScript("document.getElementById('log').scrollIntoView()");
    browser.screenshot("instance-log-and-form");

    // stop and start from the dashboard
    browser.find("a[href='/']").click();
    browser.await("tr[data-name='bridge-1']", PATIENCE);
    browser.click("tr[data-name='bridge-1'] button", "Stop", PATIENCE);
    browser.awaitText("tr[data-name='bridge-1'] [data-field=state]", "STOPPED", PATIENCE);
    browser.screenshot("stopped");
    browser.click("tr[data-name='bridge-1'] button", "Start", PATIENCE);
    browser.awaitText("tr[data-name='bridge-1'] [data-field=state]", "RUNNING", PATIENCE);

    // remove asks first, naming the instance, then drains, stops and removes it
    browser.click("tr[data-name='bridge-1'] button", "Remove", PATIENCE);
    Alert confirm = new WebDriverWait(browser.driver, PATIENCE).until(ExpectedConditions.alertIsPresent());
    assertThat(confirm.getText()).contains("Remove instance 'bridge-1'");
    confirm.accept();
    browser.awaitText("#removing-" + rowId("bridge-1"), "Draining", PATIENCE);
    browser.screenshot("removing");
    new WebDriverWait(browser.driver, PATIENCE).until(ExpectedConditions.invisibilityOfElementLocated(
        org.openqa.selenium.By.cssSelector("tr[data-name='bridge-1']")));
    assertThat(api.get("/instances").body()).isEmpty();
    browser.screenshot("removed");
    browser.assertNoConsoleErrors();
  }

  @Test
  void pagesNeedASessionAndChangesNeedItsCsrfToken() throws IOException {
    startAlone();
    browser.fresh("refusals", 1280, 900);
    try (Response page = HTTP.newCall(new Request.Builder().url(base + "/").build()).execute()) {
      assertThat(page.code()).isEqualTo(303);
      assertThat(page.header("Location")).startsWith("/login");
    }
    try (Response login = HTTP.newCall(new Request.Builder().url(base + "/login").build()).execute()) {
      assertThat(login.header("Content-Security-Policy")).contains("script-src 'self'").contains("frame-ancestors 'none'")
          .doesNotContain("unsafe-inline");
      assertThat(login.header("X-Frame-Options")).isEqualTo("DENY");
      assertThat(login.header("X-Content-Type-Options")).isEqualTo("nosniff");
      assertThat(login.header("Referrer-Policy")).isEqualTo("same-origin");
    }
    try (Response add = HTTP.newCall(new Request.Builder().url(base + "/instances/add")
        .post(FormBody.create(new byte[0], null)).build()).execute()) {
      assertThat(add.code()).isEqualTo(401);
    }

    browser.open(base + "/login");
    logIn(password);
    browser.await("#add-instance", PATIENCE);
    Cookie session = browser.driver.manage().getCookieNamed("ob_session");
    assertThat(session.isHttpOnly()).isTrue();
    assertThat(session.getSameSite()).isEqualTo("Strict");
    try (Response add = HTTP.newCall(new Request.Builder().url(base + "/instances/add")
        .header("Cookie", "ob_session=" + session.getValue()).post(FormBody.create(new byte[0], null)).build()).execute()) {
      assertThat(add.code()).isEqualTo(403);
    }
    try (Response api = HTTP.newCall(new Request.Builder().url(base + "/api/v1/status")
        .header("Cookie", "ob_session=" + session.getValue()).build()).execute()) {
      assertThat(api.code()).as("the API takes Bearer tokens, never the session cookie alone").isEqualTo(401);
    }
    assertThat(api.get("/instances").body()).isEmpty();

    // a hostile value is shown as text, never run
    browser.open(base + "/login?next=/%22%3E%3Cscript%3Ealert(1)%3C/script%3E");
    browser.open(base + "/instances/new");
    WebElement name = browser.await("input[name=name]", PATIENCE);
    name.sendKeys("<script>alert(1)</script>");
    browser.find(".instance-form button[type=submit]").click();
    browser.awaitText(".field-error", "name must be", PATIENCE);
    assertThat(browser.find("input[name=name]").getAttribute("value")).isEqualTo("<script>alert(1)</script>");
    assertThat(browser.driver.getPageSource()).doesNotContain("<script>alert(1)</script>");
    browser.screenshot("inline-error");
    browser.assertNoConsoleErrors();

    // guessing is throttled, and every wrong guess is an event
    int status = 0;
    for (int attempt = 0; attempt < 8 && status != 429; attempt++) {
      try (Response login = HTTP.newCall(new Request.Builder().url(base + "/login")
          .post(new FormBody.Builder().add("user", "admin").add("password", "guess-" + attempt).build()).build()).execute()) {
        status = login.code();
        if (status == 429) {
          assertThat(login.header("Retry-After")).isNotBlank();
        }
      }
    }
    assertThat(status).isEqualTo(429);
    assertThat(api.get("/events?limit=1000").body().path("events").findValuesAsText("action")).contains("login.failed");
  }

  @Test
  void theAdminPagesShowModelsNginxEventsFilesSettingsAndTokens() throws IOException {
    startWithNginx();
    long edge = nginx.create("edge", backend.baseUrl(), 2);
    long version = api.get("/instances/" + edge).body().path("version").asLong();
    ConsoleClient.Answer aliased = api.patch("/instances/" + edge,
        "{\"version\":" + version + ",\"model_aliases\":[\"smart=fake-r1\"]}");
    assertThat(aliased.status()).as(String.valueOf(aliased.body())).isEqualTo(200);
    assertThat(aliased.body().path("version").asLong()).isGreaterThan(version);
    assertThat(aliased.body().path("model_aliases").toString()).isEqualTo("[\"smart=fake-r1\"]");
    browser.fresh("admin", 1280, 900);
    browser.open(base + "/login");
    logIn(password);
    browser.await("#add-instance", PATIENCE);

    // the models its bridge listed, once it is healthy, and its alias
    nginx.awaitHealthy(edge);
    browser.find("a[href='/models']").click();
    new WebDriverWait(browser.driver, PATIENCE).until(driver -> {
      driver.navigate().refresh();
      return browser.find("main").getText().contains("fake-llama");
    });
    assertThat(browser.find("main").getText()).contains("fake-r1", "smart", "alias of fake-r1", "discovered", "edge",
        "nginx routes each request to the instances that serve its model");
    browser.screenshot("models");

    browser.find("a[href='/nginx']").click();
    browser.awaitText("main", "serving revision", PATIENCE);
    browser.screenshot("nginx");
    browser.find("a[href='/events']").click();
    browser.awaitText("main", "instance.create", PATIENCE);
    browser.screenshot("events");
    browser.find("a[href='/files']").click();
    browser.awaitText("main", "upstream", PATIENCE);
    browser.screenshot("files");
    browser.find("a[href='/settings']").click();
    browser.awaitText("main", "health.interval_ms", PATIENCE);
    browser.screenshot("settings");

    // a token is shown once; revoking asks first, naming it
    browser.find("a[href='/tokens']").click();
    browser.await("input[name=name]", PATIENCE).sendKeys("ci-deploy");
    browser.find("form[action='/tokens'] button[type=submit]").click();
    assertThat(browser.await("#new-token", PATIENCE).getAttribute("value")).startsWith("obt_");
    browser.screenshot("token-created");
    browser.open(base + "/tokens");
    browser.await("form[data-confirm*='ci-deploy'] button", PATIENCE).click();
    Alert confirm = new WebDriverWait(browser.driver, PATIENCE).until(ExpectedConditions.alertIsPresent());
    assertThat(confirm.getText()).contains("Revoke token ci-deploy");
    confirm.accept();
    new WebDriverWait(browser.driver, PATIENCE).until(driver -> browser.all("form[data-confirm*='ci-deploy']").isEmpty());
    browser.screenshot("token-revoked");
    browser.assertNoConsoleErrors();
  }

  @Test
  void atPhoneWidthAndInDarkModeTheDashboardKeepsItsActionsWithinReach() throws IOException {
    startAlone();
    ConsoleClient.Answer created = api.post("/instances", "{\"name\":\"phone\",\"enabled\":false}");
    assertThat(created.status()).as(String.valueOf(created.body())).isEqualTo(201);
    browser.fresh("phone", 390, 844);
    browser.driver.executeCdpCommand("Emulation.setEmulatedMedia",
        java.util.Map.of("features", List.of(java.util.Map.of("name", "prefers-color-scheme", "value", "dark"))));
    browser.open(base + "/login");
    logIn(password);
    browser.await("tr[data-name='phone']", PATIENCE);
    assertThat(browser.find("#add-instance").isDisplayed()).isTrue();
    assertThat(browser.find("tr[data-name='phone'] button.danger").isDisplayed()).isTrue();
    // measured in one script: the row is drawn again as the page polls, which leaves found elements stale
    @SuppressWarnings("unchecked")
    List<java.util.Map<String, Object>> actions = (List<java.util.Map<String, Object>>) browser.driver.executeScript(
        "return [...document.querySelectorAll(\"tr[data-name='phone'] .row-actions button,"
            + " tr[data-name='phone'] .row-actions a.button\")].map(a => { const r = a.getBoundingClientRect();"
            + " return {text: a.innerText.trim(), shown: r.width > 0 && r.height > 0"
            + " && getComputedStyle(a).visibility !== 'hidden', right: Math.round(r.right)}; });");
    assertThat(actions).extracting(action -> action.get("text")).contains("Start", "Edit", "Remove");
    long viewport = ((Number) browser.driver.executeScript("return document.documentElement.clientWidth")).longValue();
    assertThat(actions).allSatisfy(action -> {
      assertThat(action.get("shown")).as("%s shown", action.get("text")).isEqualTo(true);
      assertThat(((Number) action.get("right")).longValue()).as("%s within the screen", action.get("text"))
          .isLessThanOrEqualTo(viewport);
    });
    String background = browser.find("body").getCssValue("background-color");
    assertThat(background).as("the dark palette follows the system").isEqualTo("rgba(18, 21, 27, 1)");
    browser.screenshot("dashboard-dark");
    browser.assertNoConsoleErrors();
  }

  private void logIn(String secret) {
    WebElement field = browser.await("input[name=password]", PATIENCE);
    field.clear();
    field.sendKeys(secret);
    browser.find("form button[type=submit]").click();
  }

  private String rowId(String name) {
    return browser.find("tr[data-name='" + name + "']").getAttribute("id").substring("instance-".length());
  }
}
