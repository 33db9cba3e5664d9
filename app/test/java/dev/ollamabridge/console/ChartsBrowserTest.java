package dev.ollamabridge.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ollamabridge.fake.FakeOllama;
import java.io.IOException;
import java.io.UncheckedIOException;
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
import org.openqa.selenium.By;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The instance page's charts, empty and with a few points, at desktop and phone width: an empty
 * chart says so over a time axis that ends now (not at 1970), and every tick label of the time axis
 * is whole.
 */
class ChartsBrowserTest {

  private static final Duration PATIENCE = Duration.ofSeconds(90);
  private static final int[][] SIZES = {{1280, 800}, {390, 844}};
  private static Chromium browser;

  @TempDir Path data;
  private FakeOllama backend;
  private ManagedNginxFixture nginx;
  private ConsoleApp console;
  private ConsoleClient api;

  @RegisterExtension
  static final ChromiumPerClass CHROMIUM = new ChromiumPerClass("charts", 1280, 800);

  @BeforeAll
  static void takeBrowser() {
    browser = CHROMIUM.browser();
  }

  @AfterEach
  void stop() {
    Teardown.run(Teardown.closing(console), Teardown.closing(nginx), Teardown.closing(backend));
  }

  @Test
  void anInstanceNeverReadShowsNoTrafficYetOverTheLastMinutesAndWholeTickLabels() {
    console = TestConsoles.start(data);
    api = TestConsoles.client(console, data);
    // a disabled instance: no bridge runs, the console never reads one, its series stays empty
    ConsoleClient.Answer created = api.post("/instances",
        "{\"name\":\"quiet\",\"upstream_url\":\"http://127.0.0.1:9\",\"enabled\":false}");
    assertThat(created.status()).as(created.body().toString()).isEqualTo(201);
    long id = created.body().path("id").asLong();

    for (int[] size : SIZES) {
      browser.fresh("charts-empty-" + size[0], size[0], size[1]);
      logIn(console);
      browser.open("http://127.0.0.1:" + console.port() + "/instances/" + id);
      new WebDriverWait(browser.driver, PATIENCE).until(driver -> browser.all("#charts figure.chart").size() == 5);
      scrollToCharts();
      browser.screenshot("empty");

      for (WebElement chart : browser.all("#charts figure.chart")) {
        assertThat(chart.findElement(By.cssSelector(".chart-empty")).isDisplayed())
            .as("the empty chart says so").isTrue();
        assertThat(chart.getText()).contains("No traffic yet");
        assertTimeAxisEndsNow(chart);
        assertTickLabelsAreWhole(chart);
      }
      browser.assertNoConsoleErrors();
    }
  }

  @Test
  void anIdleRunningInstanceShowsItsPointsWithWholeTickLabels() throws IOException {
    backend = FakeOllama.start(FakeOllama.Options.defaults());
    console = TestConsoles.start(data);
    api = TestConsoles.client(console, data);
    ConsoleClient.Answer quick = api.patch("/settings", "{\"health.interval_ms\":300,\"metrics.scrape_interval_ms\":1000}");
    assertThat(quick.status()).as(quick.body().toString()).isEqualTo(200);
    ConsoleClient.Answer created = api.post("/instances", "{\"name\":\"idle\",\"upstream_url\":\"" + backend.baseUrl() + "\"}");
    assertThat(created.status()).as(created.body().toString()).isEqualTo(201);
    long id = created.body().path("id").asLong();
    await().atMost(PATIENCE).until(() -> api.get("/instances/" + id).body().has("figures"));

    for (int[] size : SIZES) {
      browser.fresh("charts-idle-" + size[0], size[0], size[1]);
      logIn(console);
      browser.open("http://127.0.0.1:" + console.port() + "/instances/" + id);
      new WebDriverWait(browser.driver, PATIENCE).until(driver -> browser.all("#charts figure.chart").size() == 5
          && Integer.parseInt(browser.find("#charts").getAttribute("data-points")) >= 2);
      scrollToCharts();
      browser.screenshot("idle");

      List<WebElement> charts = browser.all("#charts figure.chart");
      // an idle bridge answers nothing: requests/s is a line at 0, latency has no point at all
      assertThat(charts.get(0).findElement(By.cssSelector(".chart-empty")).isDisplayed()).isFalse();
      assertThat(charts.get(1).getText()).contains("No traffic yet");
      for (WebElement chart : charts) {
        assertTimeAxisEndsNow(chart);
        assertTickLabelsAreWhole(chart);
      }
      browser.assertNoConsoleErrors();
    }
  }

  @Test
  void theDashboardCountsWhatNginxAnsweredItselfInItsTotalsAndItsChart() throws IOException {
    nginx = new ManagedNginxFixture(data);
    ConsoleClient.Answer quick = nginx.api.patch("/settings", "{\"metrics.scrape_interval_ms\":1000}");
    assertThat(quick.status()).as(quick.body().toString()).isEqualTo(200);
    await().atMost(PATIENCE).until(() -> nginx.servedRevision() != null);

    for (int[] size : SIZES) {
      browser.fresh("charts-cluster-" + size[0], size[0], size[1]);
      logIn(nginx.console);
      browser.open("http://127.0.0.1:" + nginx.console.port() + "/");
      new WebDriverWait(browser.driver, PATIENCE).until(driver -> browser.all("#charts figure.chart").size() == 1);
      WebElement chart = browser.find("#charts figure.chart");
      // no instance yet: nginx answers every request itself (502), and no bridge counts it
      // the totals are swapped in by the dashboard's poll: one found may be gone when read, and is found again
      new WebDriverWait(browser.driver, PATIENCE).ignoring(StaleElementReferenceException.class).until(driver -> {
        for (int i = 0; i < 5; i++) {
          assertThat(nginx.chat()).isEqualTo(502);
        }
        return browser.find("#total-errors").getText().matches("[0-9.]+ \\(nginx [0-9.]*[1-9][0-9.]*\\)")
            && Boolean.TRUE.equals(browser.driver.executeScript(
                "return arguments[0].uplot.data[3].some(function (v) { return v > 0; })", chart));
      });
      browser.screenshot("nginx-errors-totals");
      scrollToCharts();
      browser.screenshot("nginx-errors-chart");
      assertTimeAxisEndsNow(chart);
      assertTickLabelsAreWhole(chart);
      browser.driver.executeCdpCommand("Emulation.setEmulatedMedia",
          Map.of("features", List.of(Map.of("name", "prefers-color-scheme", "value", "dark"))));
      browser.driver.navigate().refresh();
      new WebDriverWait(browser.driver, PATIENCE).until(driver -> browser.all("#charts figure.chart").size() == 1);
      scrollToCharts();
      browser.screenshot("nginx-errors-chart-dark");
      browser.assertNoConsoleErrors();
    }
  }

  private void scrollToCharts() {
    browser.driver.executeScript("document.getElementById('charts').scrollIntoView()");
  }

  /** The chart's time axis (its x scale, in epoch seconds) ends within a minute of the browser's now. */
  private static void assertTimeAxisEndsNow(WebElement chart) {
    @SuppressWarnings("unchecked")
    List<Number> range = (List<Number>) browser.driver.executeScript(
        "var x = arguments[0].uplot.scales.x; return [x.min, x.max, Date.now() / 1000];", chart);
    double from = range.get(0).doubleValue();
    double to = range.get(1).doubleValue();
    double now = range.get(2).doubleValue();
    assertThat(to).as("the end of the time axis").isBetween(now - 60, now + 1);
    assertThat(from).as("the start of the time axis").isBetween(to - 3600, to - 60);
  }

  /**
   * Every tick label of the time axis lies inside what the chart shows, none cut at its right edge:
   * where uPlot drew the last label (centred on its tick, in the axis's font) against the right edge
   * of the canvas and of the chart's box, which clips it.
   */
  private static void assertTickLabelsAreWhole(WebElement chart) {
    Number spill = (Number) browser.driver.executeScript("""
        var figure = arguments[0], u = figure.uplot, axis = u.axes[0];
        var values = axis._values || [], splits = axis._splits || [];
        if (values.length === 0) return -1;
        var last = values.length - 1;
        var ctx = u.ctx;
        ctx.font = axis.font[0];
        var half = ctx.measureText(String(values[last])).width / 2;
        var right = u.over.getBoundingClientRect().left + u.valToPos(splits[last], 'x') + half;
        var style = getComputedStyle(figure);
        var box = figure.getBoundingClientRect().right - parseFloat(style.borderRightWidth) - parseFloat(style.paddingRight);
        var canvas = u.ctx.canvas.getBoundingClientRect().right;
        return right - Math.min(box, canvas);
        """, chart);
    assertThat(spill.doubleValue()).as("how far the last tick label runs past the chart, in px").isLessThanOrEqualTo(0);
  }

  private void logIn(ConsoleApp console) {
    browser.open("http://127.0.0.1:" + console.port() + "/login");
    WebElement field = browser.await("input[name=password]", PATIENCE);
    try {
      field.sendKeys(Files.readString(data.resolve("admin-password")).strip());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    browser.find("form button[type=submit]").click();
    browser.await("#add-instance", PATIENCE);
  }
}
