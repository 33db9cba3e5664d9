package dev.ollamabridge.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.WebElement;

/** The Settings page's account of the bridges' class-data archive, in real headless Chromium, on a wide screen and a phone. */
class ArchiveStateBrowserTest {

  private static final Duration PATIENCE = Duration.ofSeconds(60);
  private static Chromium browser;

  @TempDir Path data;
  private ConsoleApp console;

  @RegisterExtension
  static final ChromiumPerClass CHROMIUM = new ChromiumPerClass("archive-state", 1280, 800);

  @BeforeAll
  static void takeBrowser() {
    browser = CHROMIUM.browser();
  }

  @AfterEach
  void stop() {
    if (console != null) {
      console.close();
    }
  }

  @Test
  void theSettingsPageSaysWhereTheArchiveStandsAndWhy() throws Exception {
    console = TestConsoles.start(data);
    for (int[] size : new int[][] {{1280, 800}, {390, 844}}) {
      browser.fresh("archive-state-" + size[0], size[0], size[1]);
      browser.logIn("http://127.0.0.1:" + console.port() + "/settings",
          Files.readString(data.resolve("admin-password")).strip(), PATIENCE);

      WebElement section = browser.await("#bridge-archive", PATIENCE);
      browser.driver.executeScript("arguments[0].scrollIntoView()", section);

      assertThat(browser.find("#bridge-archive [data-field=archive-state]").getText()).isEqualTo("unavailable");
      assertThat(browser.find("#bridge-archive [data-field=archive-reason]").getText()).contains("not a jar");
      assertThat((Boolean) browser.driver.executeScript(
          "return document.documentElement.scrollWidth <= document.documentElement.clientWidth"))
          .as("nothing wider than the screen").isTrue();
      browser.screenshot("settings-archive");
      browser.assertNoConsoleErrors();
    }
  }
}
