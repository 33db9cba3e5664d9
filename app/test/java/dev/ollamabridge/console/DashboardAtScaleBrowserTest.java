package dev.ollamabridge.console;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.ollamabridge.testing.TestPorts;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The dashboard with 33 and then 200 instances (disabled ones, which need no bridge process, and two
 * external ones, one answering its health checks and one not), at 1280x800 and 390x844, light and
 * dark: screenshots under {@code target/screenshots/scale-*} to look at, and what one poll costs when
 * one row changes (the server's part from its Server-Timing header, the browser's long tasks from a
 * PerformanceObserver) printed to the test's output for the record. Timings are printed, not asserted.
 */
class DashboardAtScaleBrowserTest {

  private static final Duration PATIENCE = Duration.ofSeconds(90);
  private static Chromium browser;

  @TempDir
  Path data;

  private ConsoleApp console;
  private ConsoleClient api;
  private HttpServer healthy;

  @BeforeAll
  static void startBrowser() {
    Chromium.assumeInstalled();
    browser = new Chromium("scale", 1280, 800);
  }

  @AfterAll
  static void stopBrowser() {
    if (browser != null) {
      browser.close();
    }
  }

  @AfterEach
  void stop() {
    if (healthy != null) {
      healthy.stop(0);
    }
    if (console != null) {
      console.close();
    }
  }

  @Test
  void twoHundredInstancesStayReadableAndAPollReplacesOnlyTheRowThatChanged() throws IOException {
    console = TestConsoles.start(data);
    api = TestConsoles.client(console, data);
    healthy = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    healthy.createContext("/health", exchange -> {
      exchange.sendResponseHeaders(200, -1);
      exchange.close();
    });
    healthy.start();
    external("edge-up", healthy.getAddress().getPort());
    external("edge-down", TestPorts.listenPort());
    createDisabled(1, 31);
    shoot("33");

    createDisabled(32, 198);
    shoot("200");

    // one row changes: only its node is replaced, and the browser's work stays in short tasks
    browser.fresh("scale-200-poll", 1280, 800);
    logIn();
    browser.await("tr[data-name='node-198']", PATIENCE);
    js("window.longTasks = []; new PerformanceObserver(function (list) { list.getEntries().forEach(function (e) {"
        + " window.longTasks.push(Math.round(e.duration)); }); }).observe({ type: 'longtask' });"
        + " document.querySelectorAll('tr[data-name]').forEach(function (tr) { tr.dataset.marked = 'yes'; });"
        + " performance.clearResourceTimings();");
    long id = api.get("/instances").body().findParents("name").stream()
        .filter(node -> node.path("name").asText().equals("node-100")).findFirst().orElseThrow().path("id").asLong();
    long version = api.get("/instances/" + id).body().path("version").asLong();
    assertThat(api.patch("/instances/" + id, "{\"version\":" + version + ",\"weight\":9}").status()).isEqualTo(200);
    browser.awaitText("tr[data-name='node-100']", "weight 9", PATIENCE);
    // a few more polls with nothing new, for the server's figures
    new WebDriverWait(browser.driver, PATIENCE).until(driver -> ((Number) js(
        "return performance.getEntriesByType('resource').filter(function (e) { return e.name.endsWith('/instances/live'); }).length"))
        .intValue() >= 5);
    Number replaced = (Number) js("return document.querySelectorAll('tr[data-name]:not([data-marked])').length");
    assertThat(replaced.intValue()).as("rows replaced when one changed").isEqualTo(1);
    assertThat(js("return document.querySelector(\"tr[data-name='node-100']\").dataset.marked")).isNull();
    @SuppressWarnings("unchecked")
    List<Number> serverMillis = (List<Number>) js("return performance.getEntriesByType('resource')"
        + ".filter(function (e) { return e.name.endsWith('/instances/live'); })"
        + ".map(function (e) { var t = e.serverTiming.find(function (s) { return s.name === 'live'; }); return t ? t.duration : -1; })");
    @SuppressWarnings("unchecked")
    List<Number> roundTrips = (List<Number>) js("return performance.getEntriesByType('resource')"
        + ".filter(function (e) { return e.name.endsWith('/instances/live'); }).map(function (e) { return Math.round(e.duration); })");
    @SuppressWarnings("unchecked")
    List<Number> longTasks = (List<Number>) js("return window.longTasks");
    String figures = String.format(Locale.ROOT, "dashboard, 200 instances: server ms per poll %s; round trip ms %s;"
        + " long tasks (ms) while one row changed and %d polls ran: %s", serverMillis, roundTrips, serverMillis.size(), longTasks);
    System.out.println(figures);
    Files.writeString(Path.of("target", "dashboard-200-figures.txt"), figures + System.lineSeparator());
    browser.assertNoConsoleErrors();
  }

  private void shoot(String rows) throws IOException {
    for (String scheme : List.of("light", "dark")) {
      for (int[] size : new int[][] {{1280, 800}, {390, 844}}) {
        browser.fresh("scale-" + rows + "-" + scheme + "-" + size[0], size[0], size[1]);
        browser.driver.executeCdpCommand("Emulation.setEmulatedMedia",
            Map.of("features", List.of(Map.of("name", "prefers-color-scheme", "value", scheme))));
        logIn();
        browser.awaitText("tr[data-name='edge-down'] [data-field=health]", "unhealthy", PATIENCE);
        browser.screenshot("top");
        js("window.scrollTo(0, document.body.scrollHeight / 2)");
        browser.screenshot("scrolled");
        browser.assertNoConsoleErrors();
      }
    }
  }

  private void logIn() throws IOException {
    browser.open("http://127.0.0.1:" + console.port() + "/login");
    WebElement password = browser.await("input[name=password]", PATIENCE);
    password.sendKeys(Files.readString(data.resolve("admin-password")).strip());
    browser.find("form button[type=submit]").click();
    browser.await("#add-instance", PATIENCE);
  }

  private void external(String name, int port) {
    ConsoleClient.Answer created = api.post("/instances", "{\"name\":\"" + name + "\",\"managed\":false,\"port\":" + port + "}");
    assertThat(created.status()).as(String.valueOf(created.body())).isEqualTo(201);
  }

  private void createDisabled(int from, int to) {
    for (int n = from; n <= to; n++) {
      ConsoleClient.Answer created = api.post("/instances", "{\"name\":\"node-" + n + "\",\"enabled\":false}");
      assertThat(created.status()).as(String.valueOf(created.body())).isEqualTo(201);
    }
  }

  private Object js(String script, Object... args) {
    return browser.driver.executeScript(script, args);
  }
}
