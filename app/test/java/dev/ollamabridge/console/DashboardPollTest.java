package dev.ollamabridge.console;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ollamabridge.console.web.Browser;
import dev.ollamabridge.console.web.Page;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dashboard's poll over HTTP: it answers only what differs from what the page says it shows, and
 * refuses fields outside their rules with a 400 naming the field, as do the bulk actions.
 */
class DashboardPollTest {

  private static final Pattern SEEN = Pattern.compile("name=\"seen\" value=\"(\\d+)\\.([0-9a-f]{12})\"");

  @TempDir
  Path data;

  private ConsoleApp console;
  private ConsoleClient api;
  private Browser browser;

  @BeforeEach
  void start() {
    console = TestConsoles.start(data);
    api = TestConsoles.client(console, data);
    browser = Browser.loggedIn(console, data);
  }

  @AfterEach
  void stop() {
    console.close();
  }

  private long create(String name) {
    ConsoleClient.Answer created = api.post("/instances", "{\"name\":\"" + name + "\",\"enabled\":false}");
    assertThat(created.status()).as(String.valueOf(created.body())).isEqualTo(201);
    return created.body().path("id").asLong();
  }

  @Test
  void aPollAnswersOnlyTheRowsThatDifferFromThePage() {
    long first = create("first");
    long second = create("second");
    Matcher seen = SEEN.matcher(browser.get("/").body());
    assertThat(seen.find()).isTrue();
    assertThat(Long.parseLong(seen.group(1))).isEqualTo(first);
    String shown = seen.group(1) + "." + seen.group(2);

    // the page shows the first row as it is: the answer adds the second and leaves the first alone
    Page poll = browser.post("/instances/live", Map.of("seen", shown, "sort", "name"));
    assertThat(poll.status()).isEqualTo(200);
    assertThat(poll.body()).contains("id=\"instance-" + second + "\"").doesNotContain("id=\"instance-" + first + "\"")
        .contains("hx-swap-oob=\"beforeend:#instance-rows\"");

    // the page shows an older first row: the answer replaces it
    Page stale = browser.post("/instances/live", Map.of("seen", first + ".000000000000", "sort", "name"));
    assertThat(stale.body()).contains("id=\"instance-" + first + "\"", "hx-swap-oob=\"true\"");

    // a search that leaves the first row out drops it from the page
    Page searched = browser.post("/instances/live", Map.of("seen", shown, "q", "SEC"));
    assertThat(searched.body()).contains("id=\"instance-" + first + "\" hx-swap-oob=\"delete\"", "id=\"instance-" + second + "\"");
  }

  @Test
  void fieldsOutsideTheirRulesAreRefusedNamingTheField() {
    create("one");
    browser.get("/");
    assertRefused(browser.post("/instances/live", Map.of("sort", "random")), "sort must be one of");
    assertRefused(browser.post("/instances/live", Map.of("seen", "1.<script>")), "seen value");
    assertRefused(browser.post("/instances/live", Map.of("state", "RUNNING; DROP")), "state must be a word");
    assertRefused(browser.post("/instances/live", Map.of("q", "x".repeat(101))), "q (search) is at most 100");
    assertRefused(browser.get("/?sort=random"), "sort must be one of");
    assertRefused(browser.post("/instances/bulk", Map.of("action", "explode", "id", "1")), "action must be one of");
    assertRefused(browser.post("/instances/bulk", Map.of("action", "stop")), "select at least one instance");
    assertRefused(browser.post("/instances/bulk", Map.of("action", "stop", "id", "1 OR 1")), "each id is");
  }

  private static void assertRefused(Page page, String why) {
    assertThat(page.status()).as(page.body()).isEqualTo(400);
    assertThat(page.body()).contains(why);
  }
}
