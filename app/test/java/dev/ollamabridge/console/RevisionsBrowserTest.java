package dev.ollamabridge.console;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ollamabridge.fake.FakeOllama;
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
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * nginx's revisions and a deliberate Stop as an operator sees them in Chromium, at 1280×800 and
 * 390×844, light and dark: coloured diffs without hash-only lines, each revision's cause, a
 * rollback that lists what it would undo before it is applied, and a stopped row.
 */
class RevisionsBrowserTest {

  private static final Duration PATIENCE = Duration.ofSeconds(60);
  private static Chromium browser;

  @TempDir Path data;
  private final FakeOllama backend = FakeOllama.start(FakeOllama.Options.defaults().withTokens(3));
  private ManagedNginxFixture nginx;
  private String base;
  private long b;

  @RegisterExtension
  static final ChromiumPerClass CHROMIUM = new ChromiumPerClass("revisions", 1280, 800);

  @BeforeAll
  static void takeBrowser() {
    browser = CHROMIUM.browser();
  }

  @AfterEach
  void stop() {
    Teardown.run(Teardown.closing(nginx), backend::close);
  }

  @Test
  void aWeightChangesDiffIsColouredKeepsItsMarkersAndHasNoHashOnlyLines() throws Exception {
    start();
    JsonNode instance = nginx.api.get("/instances/" + b).body();
    assertThat(nginx.api.patch("/instances/" + b, "{\"version\":" + instance.path("version").asLong() + ",\"weight\":7}")
        .status()).isEqualTo(200);
    nginx.awaitSettled();
    long revision = nginx.newestApplied().orElseThrow().path("id").asLong();

    for (int[] size : new int[][] {{1280, 800}, {390, 844}}) {
      for (String scheme : List.of("light", "dark")) {
        logIn(browser.fresh("revisions-diff-" + size[0] + "-" + scheme, size[0], size[1]));
        browser.driver.executeCdpCommand("Emulation.setEmulatedMedia",
            Map.of("features", List.of(Map.of("name", "prefers-color-scheme", "value", scheme))));
        browser.open(base + "/nginx/revisions/" + revision);
        WebElement added = browser.await("pre.diff ins", PATIENCE);
        WebElement removed = browser.find("pre.diff del");
        browser.screenshot("weight-diff");

        assertThat(added.getText()).startsWith("+").contains("weight=7").endsWith("# b");
        assertThat(removed.getText()).startsWith("-").contains("weight=1").endsWith("# b");
        assertThat(added.getCssValue("background-color")).isNotEqualTo(removed.getCssValue("background-color"))
            .isNotEqualTo("rgba(0, 0, 0, 0)");
        assertThat(added.getCssValue("text-decoration-line")).isEqualTo("none");
        assertThat(removed.getCssValue("text-decoration-line")).isEqualTo("none");
        assertThat(browser.find("pre.diff").getText()).doesNotContain("Revision ").doesNotContain("X-Config-Revision");
      }
    }
    browser.assertNoConsoleErrors();
  }

  @Test
  void aStoppedRowReadsStoppedAndTheRevisionListSaysWhyEachWasMade() throws Exception {
    start();
    for (int[] size : new int[][] {{1280, 800}, {390, 844}}) {
      logIn(browser.fresh("revisions-stop-" + size[0], size[0], size[1]));
      browser.open(base + "/");
      browser.click("tr[data-name='b'] button", "Stop", PATIENCE);
      awaitExactly("tr[data-name='b'] [data-field=health]", "stopped");
      browser.awaitText("#total-up", "1 / 2", PATIENCE);
      browser.screenshot("stopped-row");

      browser.open(base + "/nginx");
      browser.awaitText("table.revisions", "stop b by web:admin", PATIENCE);
      browser.screenshot("revisions-all");
      browser.find("a[href='/nginx?automatic=hide#revisions-head']").click();
      browser.awaitText("table.revisions", "stop b by web:admin", PATIENCE);
      assertThat(browser.find("table.revisions").getText()).doesNotContain("(automatic)");
      browser.screenshot("revisions-without-automatic");

      browser.open(base + "/");
      browser.click("tr[data-name='b'] button", "Start", PATIENCE);
      awaitExactly("tr[data-name='b'] [data-field=state]", "RUNNING");
      awaitExactly("tr[data-name='b'] [data-field=health]", "healthy");
    }
    browser.assertNoConsoleErrors();
  }

  @Test
  void aRollbackToARevisionWithARemovedInstanceSaysSoAndAsksFirst() throws Exception {
    start();
    long withC = nginx.revisionOfARemovedInstance("c", backend.baseUrl());
    nginx.awaitSettled();

    logIn(browser.fresh("revisions-rollback", 1280, 800));
    browser.open(base + "/nginx/revisions/" + withC);
    WebElement check = browser.await(".rollback-check", PATIENCE);
    assertThat(check.getText()).contains("brings back c", "Roll back anyway");
    browser.screenshot("rollback-check");
    browser.driver.manage().window().setSize(new org.openqa.selenium.Dimension(390, 844));
    browser.screenshot("rollback-check-phone");
    browser.driver.manage().window().setSize(new org.openqa.selenium.Dimension(1280, 800));

    browser.find(".rollback-check button[type=submit]").click();
    browser.awaitText("#rollback-note", "rolled back to revision " + withC, PATIENCE);
    browser.screenshot("rolled-back");
    browser.open(base + "/");
    browser.awaitText("#summary", "rollback to revision " + withC, PATIENCE);
    browser.screenshot("dashboard-rolled-back");
    browser.assertNoConsoleErrors();
  }

  /** A console with nginx and two instances, a and b, settled. */
  private void start() throws Exception {
    nginx = new ManagedNginxFixture(data);
    b = nginx.createSettled(backend.baseUrl(), "a", "b")[1];
    base = "http://127.0.0.1:" + nginx.console.port();
  }

  /** Waits until the element says exactly this ("unhealthy" is not "healthy"). */
  private static void awaitExactly(String css, String text) {
    new WebDriverWait(browser.driver, PATIENCE).until(ExpectedConditions.textToBe(By.cssSelector(css), text));
  }

  private void logIn(Chromium fresh) throws Exception {
    fresh.open(base + "/login");
    WebElement field = fresh.await("input[name=password]", PATIENCE);
    field.sendKeys(Files.readString(data.resolve("admin-password")).strip());
    fresh.find("form button[type=submit]").click();
    fresh.await("#summary", PATIENCE);
  }
}
