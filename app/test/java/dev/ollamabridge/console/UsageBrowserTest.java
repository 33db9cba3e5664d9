package dev.ollamabridge.console;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ollamabridge.console.store.Database;
import dev.ollamabridge.console.usage.BridgeUsage;
import dev.ollamabridge.console.usage.UsageCounters;
import dev.ollamabridge.console.usage.UsageRepository;
import dev.ollamabridge.console.usage.UsageSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The Usage page with a week of generated usage (several keys, models, instances and hosts, an
 * hour at a time through the repository, as the rollup writes it): totals, a chart per day, the
 * tables, the CSV download, and a refused range, at desktop and phone width.
 */
class UsageBrowserTest {

  private static final Duration PATIENCE = Duration.ofSeconds(60);
  private static final List<String> KEYS = List.of("none", "7", "12", "31");
  private static final List<String> MODELS = List.of("llama3.2:3b", "qwen2.5:7b", "mistral-nemo", "=HYPERLINK(\"x\")");
  private static final List<UsageSource> SOURCES = List.of(new UsageSource(1, "chat-a", "local"),
      new UsageSource(2, "chat-b", "local"), new UsageSource(3, "gpu-big", "gpu-1"));
  private static Chromium browser;

  @RegisterExtension
  static final ChromiumPerClass CHROMIUM = new ChromiumPerClass("usage", 1280, 800);

  @TempDir Path data;
  private ConsoleApp console;

  @BeforeAll
  static void takeBrowser() {
    browser = CHROMIUM.browser();
  }

  @AfterEach
  void stop() {
    Teardown.run(Teardown.closing(console));
  }

  @Test
  void theUsagePageShowsAWeekByDayKeyModelAndInstance() throws Exception {
    console = TestConsoles.start(data);
    long requests = generateAWeek();

    browser.fresh("usage", 1280, 800);
    browser.logIn("http://127.0.0.1:" + console.port() + "/usage", Files.readString(data.resolve("admin-password")).strip(),
        PATIENCE);
    new WebDriverWait(browser.driver, PATIENCE).until(driver -> "true".equals(
        browser.find("#usage-charts").getAttribute("data-drawn")));

    assertThat(browser.text("#total-requests")).isEqualTo(String.format(java.util.Locale.ROOT, "%,d", requests));
    assertThat(browser.all("#usage-charts figure.chart")).hasSize(2);
    assertThat(browser.all("#by-key tbody tr")).hasSize(KEYS.size());
    assertThat(browser.all("#by-model tbody tr")).hasSize(MODELS.size());
    assertThat(browser.all("#by-instance tbody tr")).hasSize(SOURCES.size());
    assertThat(browser.text("#by-instance")).contains("gpu-big").contains("gpu-1");
    assertThat(browser.all("#usage-charts .chart-empty")).isEmpty();
    Object csv = browser.driver.executeAsyncScript("var done = arguments[0];"
        + "fetch(document.getElementById('usage-csv').href).then(function (r) { return r.text(); }).then(done);");
    assertThat(String.valueOf(csv)).startsWith("from,to,key,key_name,model,instance,host,requests,")
        .contains(",\"'=HYPERLINK(\"\"x\"\")\",").as("one line per key, model and instance, and the header")
        .hasLineCount(KEYS.size() * MODELS.size() * SOURCES.size() + 1);
    browser.shotsAtBothWidths("week", ".table-wrap");
    browser.assertNoConsoleErrors();

    browser.open("http://127.0.0.1:" + console.port() + "/usage?from=2026-12-09&to=2026-12-02");
    browser.awaitText("#range-error", "to must be a later day than from", PATIENCE);
    assertThat(browser.find("input[name=to]").getAttribute("aria-invalid")).isEqualTo("true");
    browser.shotsAtBothWidths("refused-range", ".table-wrap");
  }

  /** Seven days of hours up to now, busier on weekdays and in the day; answers the requests added. */
  private long generateAWeek() {
    long total = 0;
    try (Database database = Database.open(data.resolve("console.db"))) {
      UsageRepository usage = new UsageRepository(database);
      LocalDate today = LocalDate.now(ZoneOffset.UTC);
      long now = Instant.now().getEpochSecond();
      for (long hour = today.minusDays(6).atStartOfDay(ZoneOffset.UTC).toEpochSecond(); hour <= now; hour += 3600) {
        int hourOfDay = (int) (hour / 3600 % 24);
        int busy = hourOfDay >= 8 && hourOfDay <= 18 ? 3 : 1;
        int day = (int) (hour / 86400 % 7);
        java.time.DayOfWeek weekday = LocalDate.ofEpochDay(hour / 86400).getDayOfWeek();
        if (weekday == java.time.DayOfWeek.SATURDAY || weekday == java.time.DayOfWeek.SUNDAY) {
          busy = hourOfDay % 3 == 0 ? 1 : 0;
        }
        for (int k = 0; k < KEYS.size(); k++) {
          for (int m = 0; m < MODELS.size(); m++) {
            UsageSource source = SOURCES.get((k + m + hourOfDay) % SOURCES.size());
            long requests = busy * (1 + (k * 3 + m * 5 + day * 7 + hourOfDay) % 9) + (busy == 0 && k == 0 ? 1 : 0);
            long errors = (k + m + hourOfDay) % 11 == 0 ? 1 + requests / 4 : 0;
            usage.add(hour, source, new BridgeUsage.Series(KEYS.get(k), MODELS.get(m)),
                new UsageCounters(requests, errors, requests * (120 + 40L * m), requests * (60 + 90L * k), requests / 3));
            total += requests;
          }
        }
      }
    }
    return total;
  }
}
