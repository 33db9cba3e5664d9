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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.Alert;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The dashboard as an operator lives in it, in real headless Chromium against a real console: it
 * updates in place (only the rows that changed), keeps focus and notices across its polls, says
 * what changed in a small live region, and narrows, sorts and acts on many instances at once.
 * Instances are disabled or external where a test needs no bridge process. With 33 and then 200
 * instances it leaves screenshots under {@code target/screenshots/scale-*} (1280x800 and 390x844,
 * light and dark) and prints what one poll costs when one row changes (the server's part from its
 * Server-Timing header, the browser's long tasks from a PerformanceObserver); timings are printed,
 * never asserted.
 */
class DashboardLiveBrowserTest {

  private static final Duration PATIENCE = Duration.ofSeconds(60);

  @RegisterExtension
  static final ChromiumPerClass CHROMIUM = new ChromiumPerClass("dashboard", 1280, 800);

  @TempDir
  Path data;

  private ConsoleApp console;
  private ConsoleClient api;
  private HttpServer healthy;

  private Chromium browser;

  @BeforeEach
  void takeBrowser() {
    browser = CHROMIUM.browser();
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

  private void startConsole() {
    console = TestConsoles.start(data);
    api = TestConsoles.client(console, data);
  }

  /** A server answering GET /health with 200, as a healthy external bridge would. */
  private void startHealthEndpoint() throws IOException {
    healthy = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    healthy.createContext("/health", exchange -> {
      exchange.sendResponseHeaders(200, -1);
      exchange.close();
    });
    healthy.start();
  }

  private long create(String name) {
    ConsoleClient.Answer created = api.post("/instances", "{\"name\":\"" + name + "\",\"enabled\":false}");
    assertThat(created.status()).as(String.valueOf(created.body())).isEqualTo(201);
    return created.body().path("id").asLong();
  }

  private void setWeight(long id, int weight) {
    long version = api.get("/instances/" + id).body().path("version").asLong();
    ConsoleClient.Answer changed = api.patch("/instances/" + id, "{\"version\":" + version + ",\"weight\":" + weight + "}");
    assertThat(changed.status()).as(String.valueOf(changed.body())).isEqualTo(200);
  }

  private void openDashboard(String prefix, int width, int height) throws IOException {
    openDashboard(console, prefix, width, height);
  }

  private void openDashboard(String prefix, int width, int height, String scheme) throws IOException {
    browser.fresh(prefix, width, height);
    browser.driver.executeCdpCommand("Emulation.setEmulatedMedia",
        Map.of("features", List.of(Map.of("name", "prefers-color-scheme", "value", scheme))));
    logIn(console);
  }

  private void openDashboard(ConsoleApp at, String prefix, int width, int height) throws IOException {
    browser.fresh(prefix, width, height);
    logIn(at);
  }

  private void logIn(ConsoleApp at) throws IOException {
    browser.open("http://127.0.0.1:" + at.port() + "/login");
    WebElement password = browser.await("input[name=password]", PATIENCE);
    password.sendKeys(Files.readString(data.resolve("admin-password")).strip());
    browser.find("form button[type=submit]").click();
    browser.await("#add-instance", PATIENCE);
  }

  private Object js(String script, Object... args) {
    return browser.driver.executeScript(script, args);
  }

  private String row(String name) {
    return "tr[data-name='" + name + "']";
  }

  @Test
  void aPollReplacesOnlyTheRowThatChangedAndKeepsFocusAndTheNotice() throws IOException {
    startConsole();
    create("alpha");
    create("beta");
    long gamma = create("gamma");
    openDashboard("live", 1280, 800);
    browser.await(row("gamma"), PATIENCE);
    assertThat(browser.all("[aria-live] table, [aria-live] tr")).as("no live region holds the table").isEmpty();

    // the first Tab reaches a skip link to the content
    browser.find("body").sendKeys(Keys.TAB);
    WebElement skip = browser.driver.switchTo().activeElement();
    assertThat(skip.getText()).isEqualTo("Skip to content");
    assertThat(skip.getAttribute("href")).endsWith("#main");

    // mark the rows' nodes; one row changes; only its node is new, and the focused link keeps focus
    js("document.querySelectorAll('tr[data-name]').forEach(function (tr) { tr.dataset.marked = 'yes'; })");
    WebElement edit = browser.find(row("alpha") + " a.button");
    js("arguments[0].focus()", edit);
    setWeight(gamma, 7);
    browser.awaitText(row("gamma"), "weight 7", PATIENCE);
    assertThat(js("return document.querySelector(\"tr[data-name='alpha']\").dataset.marked")).isEqualTo("yes");
    assertThat(js("return document.querySelector(\"tr[data-name='beta']\").dataset.marked")).isEqualTo("yes");
    assertThat(js("return document.querySelector(\"tr[data-name='gamma']\").dataset.marked")).isNull();
    assertThat(browser.driver.switchTo().activeElement()).isEqualTo(edit);

    // focus on the row that changes moves to the same control of its new row
    js("document.querySelector(\"tr[data-name='gamma'] a.button\").focus()");
    setWeight(gamma, 8);
    browser.awaitText(row("gamma"), "weight 8", PATIENCE);
    assertThat(js("var a = document.activeElement; return a.closest('tr') && a.closest('tr').dataset.name + ' ' + a.textContent"))
        .isEqualTo("gamma Edit");

    // the notice of an action stays through the polls after it
    browser.find(row("beta") + " button.danger").click();
    Alert confirm = new WebDriverWait(browser.driver, PATIENCE).until(ExpectedConditions.alertIsPresent());
    confirm.accept();
    browser.awaitText("#outcome", "Removed beta", PATIENCE);
    new WebDriverWait(browser.driver, PATIENCE).until(ExpectedConditions.invisibilityOfElementLocated(
        org.openqa.selenium.By.cssSelector(row("beta"))));
    setWeight(gamma, 9); // a change the next poll brings proves polls went on
    browser.awaitText(row("gamma"), "weight 9", PATIENCE);
    assertThat(browser.find("#outcome").getText()).contains("Removed beta");
    browser.screenshot("notice-kept");
    browser.assertNoConsoleErrors();
  }

  @Test
  void theLiveRegionSaysWhichInstanceTurnedUnhealthyAndColumnsKeepTheirWidths() throws IOException {
    startConsole();
    assertThat(api.patch("/settings", "{\"health.interval_ms\":300,\"health.fall\":1,\"health.rise\":1}").status())
        .isEqualTo(200);
    startHealthEndpoint();
    create("quiet");
    external("ext", healthy.getAddress().getPort());
    openDashboard("announce", 1280, 800);
    browser.awaitText(row("ext") + " [data-field=health]", "healthy", PATIENCE);
    List<Object> before = columnWidths();

    healthy.stop(0);
    healthy = null;
    browser.awaitText(row("ext") + " [data-field=health]", "unhealthy", PATIENCE);
    browser.awaitText("#announce", "ext is now unhealthy", PATIENCE);
    assertThat(browser.find("#announce").getAttribute("role")).isEqualTo("status");
    assertThat(browser.find("#announce").getText()).doesNotContain("quiet");
    assertThat(columnWidths()).as("the columns keep their widths when an error text appears").isEqualTo(before);
    browser.screenshot("unhealthy");
    browser.assertNoConsoleErrors();
  }

  private List<Object> columnWidths() {
    @SuppressWarnings("unchecked")
    List<Object> widths = (List<Object>) js(
        "return Array.from(document.querySelectorAll('table.instances thead th')).map(function (th) { return Math.round(th.getBoundingClientRect().width); })");
    return widths;
  }

  @Test
  void searchFilterAndSortNarrowTheRowsAndProblemsComeFirst() throws IOException {
    startConsole();
    for (String name : List.of("web-2", "web-10", "batch-1", "gpu-a")) {
      create(name);
    }
    external("zz-down", TestPorts.listenPort());
    assertThat(api.patch("/settings", "{\"health.interval_ms\":300,\"health.fall\":1}").status()).isEqualTo(200);
    openDashboard("narrow", 1280, 800);

    // problems first by default: the unreachable one leads
    browser.awaitText(row("zz-down") + " [data-field=health]", "unhealthy", PATIENCE);
    new WebDriverWait(browser.driver, PATIENCE).until(driver -> names().get(0).equals("zz-down"));
    assertThat(names()).containsExactly("zz-down", "batch-1", "gpu-a", "web-2", "web-10");

    // search by name
    browser.find("#q").sendKeys("web");
    awaitNames("web-2", "web-10");
    browser.screenshot("searched");
    browser.find("#q").clear();
    browser.find("#q").sendKeys(Keys.BACK_SPACE);

    // filter by health, then sort by name
    new Select(browser.find("#health")).selectByValue("unhealthy");
    awaitNames("zz-down");
    browser.awaitText("#shown", "1 of 5", PATIENCE); // the summary may be swapped in as it is read
    new Select(browser.find("#health")).selectByValue("");
    new Select(browser.find("#sort")).selectByValue("name");
    awaitNames("batch-1", "gpu-a", "web-2", "web-10", "zz-down");
    browser.screenshot("sorted-by-name");

    // the address keeps the view: a reload shows the same rows in the same order
    new Select(browser.find("#state")).selectByValue("DISABLED");
    awaitNames("batch-1", "gpu-a", "web-2", "web-10");
    assertThat(browser.driver.getCurrentUrl()).endsWith("/?state=DISABLED&sort=name");
    browser.driver.navigate().refresh();
    browser.await("#add-instance", PATIENCE);
    assertThat(names()).containsExactly("batch-1", "gpu-a", "web-2", "web-10");
    browser.assertNoConsoleErrors();
  }

  @Test
  void bulkActionsAskOnceAndReportEachInstance() throws IOException {
    startConsole();
    for (String name : List.of("one", "two", "three", "four")) {
      create(name);
    }
    openDashboard("bulk", 1280, 800);
    browser.await(row("four"), PATIENCE);
    for (String name : List.of("one", "two", "three")) {
      browser.find(row(name) + " input[name=id]").click();
    }
    browser.awaitText("#selected", "3 selected", PATIENCE);

    browser.find("#bulk button[value=stop]").click();
    Alert stop = new WebDriverWait(browser.driver, PATIENCE).until(ExpectedConditions.alertIsPresent());
    assertThat(stop.getText()).contains("Stop 3 instances", "one", "two", "three");
    stop.accept();
    browser.awaitText("#outcome", "three", PATIENCE);
    assertThat(browser.find("#outcome").getText()).contains("one", "two");

    browser.find("#bulk button[value=remove]").click();
    Alert remove = new WebDriverWait(browser.driver, PATIENCE).until(ExpectedConditions.alertIsPresent());
    assertThat(remove.getText()).contains("Remove 3 instances", "one", "two", "three");
    remove.accept();
    awaitNames("four");
    assertThat(browser.find("#outcome").getText()).contains("Removed", "one", "two", "three");
    assertThat(api.get("/instances").body().findValuesAsText("name")).containsExactly("four");
    browser.screenshot("bulk-removed");
    browser.assertNoConsoleErrors();
  }

  @Test
  void withoutNginxTheDashboardSaysClientsUseABridgesAddress() throws IOException {
    startConsole();
    create("solo");
    openDashboard("endpoint", 1280, 800);
    assertThat(browser.find("#client-endpoint").getText()).contains("nginx is off", "bridge's address", "http://127.0.0.1:");
    browser.screenshot("endpoint-nginx-off");
  }

  @Test
  void withItsNginxTheDashboardShowsNginxsAddressForClientsWithACopyButton() throws IOException {
    try (ManagedNginxFixture nginx = new ManagedNginxFixture(data)) {
      openDashboard(nginx.console, "endpoint-nginx", 1280, 800);
      String v1 = "http://127.0.0.1:" + nginx.nginxPort + "/v1";
      assertThat(browser.find("#client-endpoint").getText()).contains(v1, "http://127.0.0.1:" + nginx.nginxPort + "/api");
      WebElement copy = browser.find("#client-endpoint button[data-copy='" + v1 + "']");
      browser.driver.executeCdpCommand("Browser.grantPermissions", Map.of("permissions",
          List.of("clipboardReadWrite", "clipboardSanitizedWrite")));
      copy.click();
      browser.awaitText("#client-endpoint button[data-copy='" + v1 + "']", "Copied", PATIENCE);
      assertThat(browser.driver.executeAsyncScript("var done = arguments[arguments.length - 1];"
          + " navigator.clipboard.readText().then(done, function (e) { done(String(e)); })"))
          .isEqualTo(v1);
      browser.screenshot("endpoint-nginx");
      browser.assertNoConsoleErrors();
    }
  }

  @Test
  void twoHundredInstancesStayReadableAndAPollReplacesOnlyTheRowThatChanged() throws IOException {
    startConsole();
    startHealthEndpoint();
    external("edge-up", healthy.getAddress().getPort());
    external("edge-down", TestPorts.listenPort());
    createDisabled(1, 31);
    shoot("33");

    createDisabled(32, 198);
    shoot("200");

    // one row changes: only its node is replaced, and the browser's work stays in short tasks
    openDashboard("scale-200-poll", 1280, 800);
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
        .intValue() >= 10);
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
    // for the record too: a search that narrows 200 rows to one, and its clearing, which brings 199 back at once
    js("window.longTasks = [];");
    browser.find("#q").sendKeys("node-150");
    awaitNames("node-150");
    browser.find("#q").clear();
    browser.find("#q").sendKeys(" ");
    new WebDriverWait(browser.driver, PATIENCE).until(driver -> names().size() == 200);
    figures += String.format(Locale.ROOT, "; long tasks (ms) while a search narrowed 200 rows to 1 and back: %s",
        js("return window.longTasks"));
    System.out.println(figures);
    Files.writeString(Path.of("target", "dashboard-200-figures.txt"), figures + System.lineSeparator());
    browser.assertNoConsoleErrors();
  }

  private void shoot(String rows) throws IOException {
    for (String scheme : List.of("light", "dark")) {
      for (int[] size : new int[][] {{1280, 800}, {390, 844}}) {
        openDashboard("scale-" + rows + "-" + scheme + "-" + size[0], size[0], size[1], scheme);
        browser.awaitText("tr[data-name='edge-down'] [data-field=health]", "unhealthy", PATIENCE);
        browser.screenshot("top");
        js("window.scrollTo(0, document.body.scrollHeight / 2)");
        browser.screenshot("scrolled");
        browser.assertNoConsoleErrors();
      }
    }
  }

  private void external(String name, int port) {
    ConsoleClient.Answer created = api.post("/instances", "{\"name\":\"" + name + "\",\"managed\":false,\"port\":" + port + "}");
    assertThat(created.status()).as(String.valueOf(created.body())).isEqualTo(201);
  }

  private void createDisabled(int from, int to) {
    for (int n = from; n <= to; n++) {
      create("node-" + n);
    }
  }

  /** Waits for the table to list these rows, in this order; a timeout says what it listed instead. */
  private void awaitNames(String... expected) {
    new WebDriverWait(browser.driver, PATIENCE).withMessage(() -> "rows listed: " + names() + "; banner: "
        + js("var f = document.getElementById('flash'); return f && f.textContent"))
        .until(driver -> names().equals(List.of(expected)));
  }

  @SuppressWarnings("unchecked")
  private List<String> names() {
    return (List<String>) js("return Array.from(document.querySelectorAll('tr[data-name]')).map(function (tr) { return tr.dataset.name; })");
  }
}
