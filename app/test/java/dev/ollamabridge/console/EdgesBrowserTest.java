package dev.ollamabridge.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ollamabridge.cli.HostPort;
import dev.ollamabridge.link.Desired;
import dev.ollamabridge.link.EdgeReport;
import dev.ollamabridge.testing.TestPorts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Edges as an operator sees them, in real headless Chromium against a console with its own managed
 * nginx and two hosts played over the real link: a host made an edge on the Hosts page; the nginx
 * page's Edges panel with the console's own nginx first, one edge that refused the revision (its
 * {@code nginx -t} output, hostile, folded and escaped) and one behind; then both catching up, which
 * the panel shows by its own polls. Nothing reaches past the right edge at phone width. Screenshots
 * under {@code target/screenshots/edges-*}, at 1280x800 and 390x844, light and dark.
 */
class EdgesBrowserTest {

  private static final Duration PATIENCE = Duration.ofSeconds(60);

  @RegisterExtension
  static final ChromiumPerClass CHROMIUM = new ChromiumPerClass("edges", 1280, 800);

  @TempDir Path data;
  @TempDir Path h2Data;
  @TempDir Path h3Data;
  private ManagedNginxFixture cluster;
  private EdgeLinkAgent h2;
  private EdgeLinkAgent h3;
  private Chromium browser;

  @AfterEach
  void stop() {
    for (EdgeLinkAgent agent : new EdgeLinkAgent[] {h2, h3}) {
      if (agent != null) {
        agent.close();
      }
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void anEdgeMadeOnTheHostsPageShowsOnTheEdgesPanelRefusedThenCaughtUp() throws Exception {
    cluster = new ManagedNginxFixture(data, config -> config.withAgentListener(new HostPort("127.0.0.1", TestPorts.listenPort()),
        null));
    ConsoleClient api = cluster.api;
    h2 = EdgeLinkAgent.join(api, "h2", h2Data);
    h3 = EdgeLinkAgent.join(api, "h3", h3Data);
    await().atMost(PATIENCE).until(() -> h2.last() != null && h3.last() != null);
    h2.report(null);
    h3.report(null);
    browser = CHROMIUM.browser().fresh("edges", 1280, 800);
    browser.logIn(url("/hosts"), Files.readString(data.resolve("admin-password")).strip(), PATIENCE);

    // on the Hosts page: h2 becomes an edge on one address; local says its nginx is the console's own
    browser.await("#edge-listen-h2", PATIENCE).sendKeys("127.0.0.1");
    browser.click("#edge-h2", "Make edge", PATIENCE);
    browser.awaitText("p.notice", "Host h2 is an edge", PATIENCE);
    assertThat(browser.text("#host-h2 [data-field=edge]")).contains("edge", "127.0.0.1", "Stop edge");
    assertThat(browser.text("#host-local [data-field=edge]")).contains("the console's nginx");
    shots("hosts");
    assertThat(api.patch("/hosts/h3", "{\"edge\":true}").status()).isEqualTo(200);
    String revision = await().atMost(PATIENCE).until(() -> h2.last().edge() == null ? null : h2.last().edge().hash(),
        hash -> hash != null);
    await().atMost(PATIENCE).until(() -> h3.last().edge() != null);

    // h2 refuses it, with an nginx -t output that carries markup; h3 says nothing yet: behind
    long now = System.currentTimeMillis();
    h2.report(new EdgeReport(null, 0, revision, "rejected", "nginx -t refused the configuration <b>here</b>",
        "nginx: [emerg] unknown directive \"<img src=x onerror=alert(1)>\" in conf/nginx.conf:12\n"
            + "nginx: configuration file conf/nginx.conf test failed", now, "/usr/sbin/nginx 1.22.1"));
    browser.open(url("/nginx"));
    browser.awaitText("#edges-summary", "h2 refused", PATIENCE);
    assertThat(browser.text("#edges-summary")).startsWith("Revision " + revision + " partly applied: h2 refused (")
        .endsWith("h3 behind");
    assertThat(browser.all("table.edges tbody tr")).extracting(row -> row.getAttribute("data-host"))
        .containsExactly("local", "h2", "h3");
    assertThat(browser.text("#edge-local [data-field=served]")).contains(revision, "current");
    browser.find("#edge-h2 details summary").click();
    assertThat(browser.text("#edge-h2 pre.test-output")).contains("<img src=x onerror=alert(1)>", "test failed");
    assertThat(browser.all("#edge-h2 img")).isEmpty();
    shots("refused");
    browser.driver.manage().window().setSize(new Dimension(390, 844));
    browser.driver.executeScript("document.getElementById('edges').scrollIntoView()");
    browser.screenshot("refused-panel-390");
    browser.driver.manage().window().setSize(new Dimension(1280, 800));

    // both catch up: the panel shows it by its own polls, the open output of h2's refusal gone with it
    h2.report(new EdgeReport(revision, now + 1, revision, "applied", "applied", null, now + 1, "/usr/sbin/nginx 1.22.1"));
    h3.report(new EdgeReport(revision, now + 1, revision, "applied", "applied", null, now + 1, "/usr/sbin/nginx 1.24.0"));
    new WebDriverWait(browser.driver, PATIENCE).ignoring(StaleElementReferenceException.class)
        .until(driver -> browser.text("#edges-summary").equals("Revision " + revision + " applied on every Ready edge"));
    assertThat(browser.text("#edge-h3 [data-field=served]")).contains(revision, "current");
    shots("caught-up");
    browser.assertNoConsoleErrors();
  }

  /** The whole page at both widths: the revisions' table may scroll in its own box, the edges turn to cards. */
  private void shots(String step) {
    browser.shotsAtBothWidths(step, ".table-wrap:has(> table.revisions)");
  }

  private String url(String path) {
    return "http://127.0.0.1:" + cluster.console.port() + path;
  }
}
