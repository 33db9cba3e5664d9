package dev.ollamabridge.console;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ollamabridge.testing.WebhookReceiver;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;

/**
 * The Alerts page in real headless Chromium: a webhook added from its form, a Send test that a 500
 * makes the console post twice, one a receiver refuses (its error shown as text), a webhook turned
 * off, a rule's bad threshold refused beside it; shots at 1280 px and phone width, light and dark.
 */
class AlertsBrowserTest {

  private static final Duration PATIENCE = Duration.ofSeconds(60);
  private static Chromium browser;

  @TempDir Path data;
  private ConsoleApp console;
  private final WebhookReceiver flaky = new WebhookReceiver().answering(500);
  private final WebhookReceiver refusing = new WebhookReceiver().answering(404);

  @RegisterExtension
  static final ChromiumPerClass CHROMIUM = new ChromiumPerClass("alerts", 1280, 800);

  @BeforeAll
  static void takeBrowser() {
    browser = CHROMIUM.browser();
  }

  @AfterEach
  void stop() {
    Teardown.run(Teardown.closing(console), flaky::close, refusing::close);
  }

  @Test
  void webhooksAreAddedTestedAndTurnedOffAndTheDeliveryLogShowsHowItWent() throws Exception {
    console = TestConsoles.start(data);
    browser.fresh("alerts", 1280, 800);
    browser.logIn("http://127.0.0.1:" + console.port() + "/alerts", Files.readString(data.resolve("admin-password")).strip(),
        PATIENCE);
    browser.await("#alerts-live", PATIENCE);
    assertThat(browser.text("nav a[aria-current=page]")).isEqualTo("Alerts");

    addWebhook("ops-slack", flaky.url("/services/T0/B0/secretpart"), "slack");
    browser.awaitText(".notice", "Webhook ops-slack was added", PATIENCE);
    assertThat(browser.text("#webhook-1 code.url")).doesNotContain("secretpart");
    browser.click("#webhook-1 button", "Send test", PATIENCE);
    browser.awaitText(".notice", "A test alert is on its way to ops-slack", PATIENCE);
    browser.awaitText("#alerts-live tr[data-status=delivered] [data-field=attempts]", "2", PATIENCE);

    addWebhook("relay", refusing.url("/hook"), "generic");
    browser.click("#webhook-2 button", "Send test", PATIENCE);
    browser.awaitText("#alerts-live tr[data-status=failed] .last-error", "answered 404: receiver says no", PATIENCE);
    browser.click("#webhook-2 button", "Turn off", PATIENCE);
    browser.awaitText("#webhook-2 .badge", "off", PATIENCE);

    browser.find("input[name='error_ratio.threshold']").clear();
    browser.find("input[name='error_ratio.threshold']").sendKeys("250");
    browser.find("input[name='host_not_ready.enabled']").click();
    browser.find(".rules-form button[type=submit]").click();
    browser.awaitText("#rule-error_ratio .field-error", "error_ratio.threshold must be a number from 0.01 to 100", PATIENCE);
    browser.shotsAtBothWidths("refused-rule", ".table-wrap");

    browser.find("input[name='error_ratio.threshold']").clear();
    browser.find("input[name='error_ratio.threshold']").sendKeys("12.5");
    browser.find(".rules-form button[type=submit]").click();
    browser.awaitText(".notice", "The rules were saved", PATIENCE);
    assertThat(browser.find("input[name='error_ratio.threshold']").getAttribute("value")).isEqualTo("12.5");
    assertThat(browser.find("input[name='host_not_ready.enabled']").isSelected()).isFalse();
    assertThat(flaky.received()).hasSize(2);
    assertThat(flaky.received().get(1).path("text").asText()).contains("[firing] test");

    browser.shotsAtBothWidths("alerts", ".table-wrap");
    browser.assertNoConsoleErrors();
  }

  private void addWebhook(String name, String url, String format) {
    browser.find(".add-webhook input[name=name]").sendKeys(name);
    browser.find(".add-webhook input[name=url]").sendKeys(url);
    browser.find(".add-webhook input[name=format][value=" + format + "]").click();
    browser.driver.findElement(By.cssSelector(".add-webhook button[type=submit]")).click();
  }
}
