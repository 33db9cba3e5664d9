package dev.ollamabridge.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.NoAlertPresentException;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Debian's headless Chromium driven through its chromium-driver, as a person would use the web
 * console: it saves a screenshot of each step under {@code target/screenshots/}. A class starts one
 * and hands it to each test with {@link #fresh}, which leaves nothing of the test before.
 */
final class Chromium implements AutoCloseable {

  static final Path BINARY = Path.of("/usr/bin/chromium");
  static final Path DRIVER = Path.of("/usr/bin/chromedriver");
  private static final Path SHOTS = Path.of("target", "screenshots");

  final ChromeDriver driver;
  private String prefix;
  private int shots;

  Chromium(String prefix, int width, int height) {
    this.prefix = prefix;
    ChromeOptions options = new ChromeOptions();
    options.setBinary(BINARY.toFile());
    options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage", "--window-size=" + width + "," + height);
    LoggingPreferences logs = new LoggingPreferences();
    logs.enable(LogType.BROWSER, Level.ALL);
    options.setCapability("goog:loggingPrefs", logs);
    ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(DRIVER.toFile())
        .usingAnyFreePort().build();
    driver = new ChromeDriver(service, options);
    driver.manage().window().setSize(new Dimension(width, height));
    driver.manage().timeouts().implicitlyWait(Duration.ZERO);
  }

  static boolean installed() {
    return Files.isExecutable(BINARY) && Files.isExecutable(DRIVER);
  }

  /**
   * Skips the test where Chromium is not installed; under CI (the environment variable {@code CI} set,
   * as .ci/run and hosted CI set it) fails it instead, so that a browser missing there is seen, not
   * passed over.
   */
  static void assumeInstalled() {
    String why = "needs Debian's chromium and chromium-driver at " + BINARY + " and " + DRIVER + " (.ci/run installs them)";
    String ci = System.getenv("CI");
    if (ci != null && !ci.isEmpty() && !ci.equalsIgnoreCase("false")) {
      assertThat(installed()).as(why + "; CI=" + ci + " is set, where a missing browser is a failure").isTrue();
    }
    assumeTrue(installed(), why);
  }

  /**
   * The browser as a new visitor meets it, for the next test: no cookies (they are per host, not per
   * port, so one console's session would reach the next), no emulated media, the given window size,
   * a blank page, and its console log read away; screenshots from here on are named {@code prefix}.
   */
  Chromium fresh(String prefix, int width, int height) {
    try {
      driver.switchTo().alert().dismiss(); // one a failed test left open
    } catch (NoAlertPresentException none) {
      // as expected
    }
    driver.get("about:blank");
    driver.executeCdpCommand("Network.clearBrowserCookies", Map.of());
    driver.executeCdpCommand("Emulation.setEmulatedMedia", Map.of("features", List.of()));
    driver.manage().window().setSize(new Dimension(width, height));
    consoleErrors();
    this.prefix = prefix;
    this.shots = 0;
    return this;
  }

  void open(String url) {
    driver.get(url);
  }

  WebElement find(String css) {
    return driver.findElement(By.cssSelector(css));
  }

  List<WebElement> all(String css) {
    return driver.findElements(By.cssSelector(css));
  }

  /** Waits for an element to be there and shown; htmx swaps the live parts every two seconds. */
  WebElement await(String css, Duration patience) {
    return new WebDriverWait(driver, patience).until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector(css)));
  }

  /**
   * The text of the element of {@code css}, looked up again when a live part swapped it between the
   * look-up and the read (which a poll may do at any moment).
   */
  String text(String css) {
    return new WebDriverWait(driver, Duration.ofSeconds(30)).ignoring(org.openqa.selenium.StaleElementReferenceException.class)
        .until(d -> find(css).getText());
  }

  void awaitText(String css, String text, Duration patience) {
    new WebDriverWait(driver, patience).until(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector(css), text));
  }

  /**
   * Clicks the first enabled element of {@code css} whose text is {@code label}, once there: a live
   * part replaces its buttons every two seconds, so one found may be gone when clicked, and is looked up again.
   */
  void click(String css, String label, Duration patience) {
    new WebDriverWait(driver, patience).ignoring(org.openqa.selenium.StaleElementReferenceException.class)
        .until(d -> {
          for (WebElement button : all(css)) {
            if (button.getText().equals(label) && button.isEnabled()) {
              button.click();
              return true;
            }
          }
          return false;
        });
  }

  /** Opens {@code url}, which asks for the admin's password first, and logs in with {@code password}. */
  void logIn(String url, String password, Duration patience) {
    open(url);
    await("input[name=password]", patience).sendKeys(password);
    find("form button[type=submit]").click();
  }

  /**
   * The whole page at 1280x800 and 390x844, light and dark, asserting that nothing in it reaches past
   * the right edge but what lies in a box of {@code scrolling} (e.g. a table that scrolls in its own
   * wrapper; null: none); the browser is left as it was, at 1280x800 and light.
   */
  void shotsAtBothWidths(String step, String scrolling) {
    for (String scheme : List.of("light", "dark")) {
      driver.executeCdpCommand("Emulation.setEmulatedMedia",
          Map.of("features", List.of(Map.of("name", "prefers-color-scheme", "value", scheme))));
      for (Dimension size : List.of(new Dimension(1280, 800), new Dimension(390, 844))) {
        driver.manage().window().setSize(size);
        fullPageScreenshot(step + "-" + size.width + "-" + scheme);
        assertThat(driver.executeScript("var out = [], scrolling = arguments[0];"
            + "document.querySelectorAll('main *').forEach(function (e) {"
            + "  if (scrolling && e.closest(scrolling)) return;"
            + "  var r = e.getBoundingClientRect(); if (r.right > document.documentElement.clientWidth + 1) out.push(e.tagName + '.' + e.className + ' ' + Math.round(r.right)); });"
            + "return out.slice(0, 5);", scrolling)).as("what reaches past the right edge at " + size.width + " px on " + step)
            .asList().isEmpty();
      }
    }
    driver.manage().window().setSize(new Dimension(1280, 800));
    driver.executeCdpCommand("Emulation.setEmulatedMedia",
        Map.of("features", List.of(Map.of("name", "prefers-color-scheme", "value", "light"))));
  }

  /** Saves what the browser shows now as {@code target/screenshots/<prefix>-<n>-<step>.png}. */
  Path screenshot(String step) {
    try {
      Files.createDirectories(SHOTS);
      Path file = SHOTS.resolve(String.format("%s-%02d-%s.png", prefix, ++shots, step));
      Files.write(file, ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES));
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Saves the whole page, beyond the window's height, as {@code target/screenshots/<prefix>-<n>-<step>.png}:
   * for pages whose parts to look at are below the fold at phone width.
   */
  Path fullPageScreenshot(String step) {
    try {
      Files.createDirectories(SHOTS);
      Path file = SHOTS.resolve(String.format("%s-%02d-%s.png", prefix, ++shots, step));
      @SuppressWarnings("unchecked")
      Map<String, Object> size = (Map<String, Object>) driver.executeCdpCommand("Page.getLayoutMetrics", Map.of())
          .get("cssContentSize");
      Map<String, Object> clip = Map.of("x", 0, "y", 0, "width", size.get("width"), "height", size.get("height"), "scale", 1);
      Object png = driver.executeCdpCommand("Page.captureScreenshot", Map.of("format", "png",
          "captureBeyondViewport", true, "clip", clip)).get("data");
      Files.write(file, java.util.Base64.getDecoder().decode(String.valueOf(png)));
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The browser console's errors since they were last read: script errors, resources or scripts the
   * CSP refused, missing files. A refused form (400) or login (401) is the page working, and is not counted.
   */
  List<String> consoleErrors() {
    return driver.manage().logs().get(LogType.BROWSER).getAll().stream()
        .filter(entry -> entry.getLevel().intValue() >= Level.SEVERE.intValue())
        .map(LogEntry::getMessage)
        .filter(message -> !message.matches(".*Failed to load resource: the server responded with a status of 40[01] .*"))
        .toList();
  }

  void assertNoConsoleErrors() {
    assertThat(consoleErrors()).as("errors in the browser's console").isEmpty();
  }

  @Override
  public void close() {
    driver.quit();
  }
}
