package dev.ollamabridge.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ollamabridge.testing.RedisServer;
import dev.ollamabridge.testing.TestPorts;
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
 * The Settings page's live state of the shared Redis, in real headless Chromium on a wide screen and
 * a phone: connected to the managed Redis, and off in place (no reload) once it is turned off elsewhere.
 */
class SharedCacheBrowserTest {

  private static final Duration PATIENCE = Duration.ofSeconds(60);
  private static Chromium browser;

  @TempDir Path data;
  private ConsoleApp console;

  @RegisterExtension
  static final ChromiumPerClass CHROMIUM = new ChromiumPerClass("shared-cache", 1280, 800);

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
  void theSettingsPageShowsTheRedisStateAndFollowsItInPlace() throws Exception {
    RedisServer.assumeInstalled();
    console = TestConsoles.start(data);
    ConsoleClient api = TestConsoles.client(console, data);
    for (int[] size : new int[][] {{1280, 800}, {390, 844}}) {
      int port = TestPorts.listenPort();
      assertThat(api.patch("/settings", "{\"cache.redis_managed\":\"127.0.0.1:" + port + "\"}").status()).isEqualTo(200);
      await().atMost(PATIENCE).until(() -> api.get("/cache").body().path("state").asText().equals("connected"));
      browser.fresh("shared-cache-" + size[0], size[0], size[1]);
      browser.logIn("http://127.0.0.1:" + console.port() + "/settings",
          Files.readString(data.resolve("admin-password")).strip(), PATIENCE);

      WebElement section = browser.await("#cache-live", PATIENCE);
      browser.driver.executeScript("arguments[0].scrollIntoView()", section);
      // the live part is swapped by its polls: each look finds the element anew
      browser.awaitText("#cache-live [data-field=redis-state]", "connected", PATIENCE);
      browser.awaitText("#cache-live [data-field=redis-url]", "redis://127.0.0.1:" + port, PATIENCE);
      assertThat((Boolean) browser.driver.executeScript(
          "return document.documentElement.scrollWidth <= document.documentElement.clientWidth"))
          .as("nothing wider than the screen").isTrue();
      browser.screenshot("settings-redis-connected");
      browser.driver.executeScript("document.getElementById('group-cache').scrollIntoView()");
      browser.screenshot("settings-cache-group");

      assertThat(api.patch("/settings", "{\"cache.redis_managed\":\"off\"}").status()).isEqualTo(200);

      browser.awaitText("#cache-live [data-field=redis-state]", "off", PATIENCE);
      browser.driver.executeScript("document.getElementById('cache-live').scrollIntoView()");
      browser.screenshot("settings-redis-off");
      browser.assertNoConsoleErrors();
    }
  }
}
