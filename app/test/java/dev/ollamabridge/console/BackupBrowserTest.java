package dev.ollamabridge.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.WebElement;

/**
 * The Settings page's Backup card in real headless Chromium, on a wide screen and a phone: the backups
 * listed, and its button making a new one.
 */
class BackupBrowserTest {

  private static final Duration PATIENCE = Duration.ofSeconds(60);
  private static Chromium browser;

  @TempDir Path data;
  private ConsoleApp console;

  @RegisterExtension
  static final ChromiumPerClass CHROMIUM = new ChromiumPerClass("backup", 1280, 800);

  @BeforeAll
  static void takeBrowser() {
    browser = CHROMIUM.browser();
  }

  @AfterEach
  void stop() {
    Teardown.run(Teardown.closing(console));
  }

  @Test
  void theBackupButtonMakesABackupAndTheCardListsThem() throws Exception {
    console = TestConsoles.start(data);
    ConsoleClient api = TestConsoles.client(console, data);
    assertThat(api.post("/backups", "").status()).isEqualTo(201);
    int made = 1;
    for (int[] size : new int[][] {{1280, 800}, {390, 844}}) {
      browser.fresh("backup-" + size[0], size[0], size[1]);
      browser.logIn("http://127.0.0.1:" + console.port() + "/settings",
          Files.readString(data.resolve("admin-password")).strip(), PATIENCE);
      WebElement card = browser.await("#backups", PATIENCE);
      browser.driver.executeScript("arguments[0].scrollIntoView()", card);
      browser.await("#backup-list li a", PATIENCE);
      assertThat(browser.text("#backup-list")).contains(made + " in " + data.resolve("backups"));
      assertThat((Boolean) browser.driver.executeScript(
          "return document.documentElement.scrollWidth <= document.documentElement.clientWidth"))
          .as("nothing wider than the screen").isTrue();
      browser.screenshot("settings-backups");
      browser.driver.executeScript("document.getElementById('group-backup').scrollIntoView()");
      browser.screenshot("settings-backup-group");

      browser.click("#backup-button", "Download a backup", PATIENCE);

      int expected = ++made;
      await().atMost(PATIENCE).untilAsserted(() -> assertThat(api.get("/backups").body().path("backups")).hasSize(expected));
      assertThat(api.get("/events?action=backup.created").body().path("events").get(0).path("actor").asText())
          .as("made by the admin's session").startsWith("web:");
      browser.assertNoConsoleErrors();
    }
  }
}
