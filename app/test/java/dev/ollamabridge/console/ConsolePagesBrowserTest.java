package dev.ollamabridge.console;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ollamabridge.fake.FakeOllama;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.Alert;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The console's forms and pages as a person meets them in headless Chromium: a refused form shows
 * every error and takes the reader to the first, the instance page has its own buttons and its Edit
 * lands on the form, and every page fits a phone (390×844) with every section of the top navigation
 * in reach. Screenshots of every page at 1280×800 and 390×844, light and dark, go to
 * {@code target/screenshots/pages-*}.
 */
class ConsolePagesBrowserTest {

  private static final Duration PATIENCE = Duration.ofSeconds(60);
  private static final List<String> PAGES = List.of("/", "/models", "/nginx", "/events", "/files", "/settings", "/tokens",
      "/password", "/instances/new", "/alerts");
  private static Chromium browser;

  @TempDir
  Path data;

  private ConsoleApp console;
  private ConsoleClient api;
  private String base;
  private FakeOllama backend;
  private ManagedNginxFixture nginx;

  @RegisterExtension
  static final ChromiumPerClass CHROMIUM = new ChromiumPerClass("pages", 1280, 800);

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
      if (console != null) {
        console.close();
      }
    } finally {
      if (backend != null) {
        backend.close();
      }
    }
  }

  /** A console with its own nginx in front of one managed instance on the fake backend, healthy. */
  private long startWithNginxAndOneInstance() throws IOException {
    backend = FakeOllama.start(FakeOllama.Options.defaults());
    nginx = new ManagedNginxFixture(data);
    api = nginx.api;
    base = "http://127.0.0.1:" + nginx.console.port();
    long id = nginx.create("b1", backend.baseUrl(), 3);
    nginx.awaitHealthy(id);
    return id;
  }

  private void startAlone() {
    console = TestConsoles.start(data);
    api = TestConsoles.client(console, data);
    base = "http://127.0.0.1:" + console.port();
  }

  /** An instance whose page has everything: external, so that no bridge has to start for it. */
  private long externalInstance(String name) {
    ConsoleClient.Answer created = api.post("/instances", "{\"name\":\"" + name + "\",\"managed\":false,"
        + "\"upstream_url\":\"http://127.0.0.1:11435\",\"allowed_origins\":[\"https://app.example.com\"]}");
    assertThat(created.status()).as(String.valueOf(created.body())).isEqualTo(201);
    return created.body().path("id").asLong();
  }

  private void logIn() throws IOException {
    browser.open(base + "/login");
    WebElement field = browser.await("input[name=password]", PATIENCE);
    field.sendKeys(Files.readString(data.resolve("admin-password")).strip());
    browser.find("form button[type=submit]").click();
    browser.await("header.top", PATIENCE);
  }

  @Test
  void aRefusedInstanceFormShowsEveryErrorAtOnceAndTakesTheReaderToTheFirst() throws IOException {
    startAlone();
    long id = externalInstance("edited");
    browser.fresh("pages-refused-form", 1280, 800);
    logIn();
    browser.open(base + "/instances/" + id);
    retype("input[name=weight]", "500");
    retype("input[name=port]", "eighty");
    retype("textarea[name=allowed_origins]", "not an origin");
    retype("input[name=queue_timeout_ms]", "-1");
    browser.find(".instance-form button[type=submit]").submit();

    browser.await(".instance-form .field-error", PATIENCE);
    assertThat(browser.all(".instance-form .field-error")).extracting(WebElement::getText)
        .anySatisfy(text -> assertThat(text).startsWith("port must be"))
        .anySatisfy(text -> assertThat(text).startsWith("weight must be"))
        .anySatisfy(text -> assertThat(text).startsWith("allowed_origins must be"))
        .anySatisfy(text -> assertThat(text).startsWith("queue_timeout_ms must be"));
    assertThat(browser.driver.executeScript("return document.activeElement.name")).as("the first refused field has focus")
        .isEqualTo("port");
    assertThat(inViewport(browser.find("input[name=port]"))).as("and is on the screen").isTrue();
    browser.screenshot("every-error");
    browser.assertNoConsoleErrors();
  }

  @Test
  void aRefusedSettingsFormShowsEveryErrorAtOnceAndTakesTheReaderToTheFirst() throws IOException {
    startAlone();
    browser.fresh("pages-refused-settings", 1280, 800);
    logIn();
    browser.open(base + "/settings");
    retype("input[name='health.interval_ms']", "5");
    retype("input[name='events.keep_days']", "forever");
    browser.find(".settings-form button[type=submit]").submit();

    browser.await(".settings-form .field-error", PATIENCE);
    assertThat(browser.all(".settings-form .field-error")).extracting(WebElement::getText)
        .anySatisfy(text -> assertThat(text).startsWith("health.interval_ms must be"))
        .anySatisfy(text -> assertThat(text).startsWith("events.keep_days must be"));
    assertThat(browser.driver.executeScript("return document.activeElement.name")).isEqualTo("health.interval_ms");
    assertThat(inViewport(browser.find("input[name='health.interval_ms']"))).isTrue();
    browser.screenshot("every-error");
    browser.assertNoConsoleErrors();
  }

  @Test
  void theInstancePageStopsAndStartsItsBridgeAndItsEditLandsOnTheForm() throws IOException {
    startAlone();
    ConsoleClient.Answer created = api.post("/instances", "{\"name\":\"own\"}");
    assertThat(created.status()).as(String.valueOf(created.body())).isEqualTo(201);
    long id = created.body().path("id").asLong();
    browser.fresh("pages-instance", 1280, 800);
    logIn();

    browser.await("tr[data-name='own'] a.button[href$='#settings']", PATIENCE).click();
    new WebDriverWait(browser.driver, PATIENCE).withMessage(() -> "the settings are not in view at "
        + browser.driver.getCurrentUrl() + ": " + browser.driver.executeScript("var h = document.getElementById('settings-head');"
        + " return h ? JSON.stringify(h.getBoundingClientRect()) + ' in ' + window.innerHeight + ' scrolled '"
        + " + window.scrollY + ' of ' + document.documentElement.scrollHeight : 'no settings'"))
        .until(driver -> inViewport(browser.find("#settings-head")));
    assertThat(browser.driver.getCurrentUrl()).endsWith("/instances/" + id + "#settings");
    browser.screenshot("edit-lands-on-form");

    browser.driver.executeScript("window.scrollTo(0, 0)");
    browser.click(".instance-actions button", "Stop", PATIENCE);
    browser.awaitText("#outcome", "own stopped", PATIENCE);
    browser.awaitText("#now [data-field=state]", "STOPPED", PATIENCE);
    browser.screenshot("stopped");
    browser.click(".instance-actions button", "Start", PATIENCE);
    browser.awaitText("#outcome", "own started", PATIENCE);
    WebElement start = browser.find(".instance-actions button");
    browser.awaitText("#now [data-field=state]", "RUNNING", PATIENCE);
    assertThat(start.isDisplayed()).as("the figures' updates leave the buttons (and a keyboard's focus on them) alone").isTrue();
    assertThat(browser.find("#outcome").getText()).as("the notice outlives the next poll of the figures")
        .contains("own started");

    browser.click(".instance-actions button", "Remove", PATIENCE);
    Alert confirm = new WebDriverWait(browser.driver, PATIENCE).until(ExpectedConditions.alertIsPresent());
    assertThat(confirm.getText()).contains("Remove own?");
    confirm.accept();
    new WebDriverWait(browser.driver, PATIENCE).until(driver -> driver.getCurrentUrl().equals(base + "/"));
    assertThat(api.get("/instances/" + id).status()).isEqualTo(404);
    browser.assertNoConsoleErrors();
  }

  @Test
  void savingAnInstanceSaysWhichNginxRevisionServesIt() throws IOException {
    long id = startWithNginxAndOneInstance();
    browser.fresh("pages-saved", 1280, 800);
    logIn();
    browser.open(base + "/instances/" + id + "#settings");
    retype("input[name=weight]", "7");
    browser.find(".instance-form button[type=submit]").submit();

    browser.awaitText("#outcome", "Saved as version", PATIENCE);
    java.util.regex.Matcher named = java.util.regex.Pattern.compile("nginx serves it from revision (\\d+)\\.")
        .matcher(browser.find("#outcome").getText());
    assertThat(named.find()).as(browser.find("#outcome").getText()).isTrue();
    assertThat(api.get("/nginx/revisions/" + named.group(1)).body().path("config").asText()).contains("weight=7");
    browser.screenshot("saved");
    browser.assertNoConsoleErrors();
  }

  @Test
  void everyPageFitsAPhoneAndEveryNavigationLinkIsInReach() throws IOException {
    long id = startWithNginxAndOneInstance();
    List<String> pages = new java.util.ArrayList<>(PAGES);
    pages.add("/instances/" + id);
    pages.add("/nginx/revisions/" + api.get("/nginx/revisions").body().path("revisions").path(0).path("id").asText());
    for (String scheme : List.of("light", "dark")) {
      for (int[] size : List.of(new int[] {390, 844}, new int[] {1280, 800})) {
        browser.fresh("pages-" + size[0] + "-" + scheme, size[0], size[1]);
        browser.driver.executeCdpCommand("Emulation.setEmulatedMedia",
            Map.of("features", List.of(Map.of("name", "prefers-color-scheme", "value", scheme))));
        logIn();
        for (String path : pages) {
          browser.open(base + path);
          browser.await("main", PATIENCE);
          fullPage(size[0] + "-" + scheme + "-" + (path.equals("/") ? "dashboard" : path.substring(1).replace('/', '-')));
          long scrollWidth = number("return document.documentElement.scrollWidth");
          long visibleWidth = number("return document.documentElement.clientWidth");
          assertThat(scrollWidth).as(path + " at " + size[0] + " px is no wider than the screen; wider: " + widerThanScreen())
              .isLessThanOrEqualTo(visibleWidth);
          for (WebElement link : browser.all("header.top a")) {
            assertThat(link.isDisplayed()).as(link.getText() + " on " + path).isTrue();
            assertThat(inViewport(link)).as(link.getText() + " on " + path + " is on the screen, not clipped").isTrue();
          }
        }
        browser.open(base + "/login");
        browser.assertNoConsoleErrors();
      }
    }
    browser.driver.executeCdpCommand("Network.clearBrowserCookies", Map.of());
    browser.fresh("pages-390-login", 390, 844);
    browser.open(base + "/login");
    browser.await("input[name=password]", PATIENCE);
    browser.screenshot("login");
  }

  /**
   * Saves the whole page, not only the window, in pieces of a window's height (at most six), as
   * {@code target/screenshots/pages-full-<name>-<n>.png}.
   */
  @SuppressWarnings("unchecked")
  private static void fullPage(String name) throws IOException {
    Map<String, Object> metrics = browser.driver.executeCdpCommand("Page.getLayoutMetrics", Map.of());
    Map<String, Object> content = (Map<String, Object>) metrics.get("cssContentSize");
    Map<String, Object> window = (Map<String, Object>) metrics.get("cssLayoutViewport");
    // the capture lays the page out without a scrollbar: as wide as the window, not as the content was
    double width = Math.max(((Number) content.get("width")).doubleValue(), ((Number) browser.driver.executeScript(
        "return window.innerWidth")).doubleValue());
    double height = ((Number) content.get("height")).doubleValue();
    double piece = ((Number) window.get("clientHeight")).doubleValue();
    for (int n = 0; n < 6 && n * piece < height; n++) {
      Map<String, Object> shot = browser.driver.executeCdpCommand("Page.captureScreenshot", Map.of("format", "png",
          "captureBeyondViewport", true, "clip", Map.of("x", 0, "y", n * piece, "width", width,
              "height", Math.min(piece, height - n * piece), "scale", 1)));
      Path file = Path.of("target", "screenshots", "pages-full-" + name + "-" + (n + 1) + ".png");
      Files.createDirectories(file.getParent());
      Files.write(file, java.util.Base64.getDecoder().decode((String) shot.get("data")));
    }
  }

  /** Replaces what a field holds with {@code text}, as a person selecting it all and typing would. */
  private static void retype(String css, String text) {
    WebElement field = browser.await(css, PATIENCE);
    field.clear();
    field.sendKeys(text);
  }

  /** The outermost elements that reach past the window's right edge, for a failure to name. */
  private static Object widerThanScreen() {
    return browser.driver.executeScript("var out = [];"
        + "document.querySelectorAll('body *').forEach(function (e) {"
        + "  var r = e.getBoundingClientRect();"
        + "  if (r.right > document.documentElement.clientWidth + 0.5 && !(e.parentElement && e.parentElement.getBoundingClientRect().right > document.documentElement.clientWidth + 0.5))"
        + "    out.push(e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (e.className && e.className.baseVal === undefined ? '.' + e.className : '') + ' ' + Math.round(r.right));"
        + "});"
        + "return out.slice(0, 8).join(', ');");
  }

  private long number(String script) {
    return ((Number) browser.driver.executeScript(script)).longValue();
  }

  /** Whether the element is wholly on screen, give or take the fraction of a pixel a scroll may leave. */
  private static boolean inViewport(WebElement element) {
    return (Boolean) browser.driver.executeScript("var r = arguments[0].getBoundingClientRect();"
        + "return r.width > 0 && r.top >= -1 && r.left >= 0 && r.bottom <= window.innerHeight + 1"
        + " && r.right <= document.documentElement.clientWidth;",
        element);
  }

}
