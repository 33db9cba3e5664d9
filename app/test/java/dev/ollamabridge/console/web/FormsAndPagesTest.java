package dev.ollamabridge.console.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ollamabridge.console.ConsoleApp;
import dev.ollamabridge.console.TestConsoles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The forms and pages of issue 21 over HTTP, as a browser without JavaScript and an API client see
 * them: every refused field at once, the rate limit in one unit, settings in words, what the
 * instance page says after a step, the events' filters, the login hint, and the copy.
 */
class FormsAndPagesTest {

  private static final OkHttpClient HTTP = new OkHttpClient();
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path data;
  private ConsoleApp console;
  private Browser browser;

  @BeforeEach
  void start() {
    console = TestConsoles.start(data);
    browser = Browser.loggedIn(console, data);
  }

  @AfterEach
  void stop() {
    console.close();
  }

  @Test
  void theRateLimitIsRequestsPerSecondInTheFormTheApiAndItsDescription() {
    Page form = browser.get("/instances/new");
    assertThat(form.body()).contains("Rate limit (requests per second, 0 = none)").doesNotContain("requests/min");

    JsonNode refused = api("POST", "/instances", "{\"rate_limit\":-1,\"managed\":false}");
    assertThat(refused.path("error").asText())
        .isEqualTo("rate_limit must be an integer from 0 to 100000 (requests per second, 0 = no limit)");

    JsonNode openApi = Browser.api(console, data, "/openapi.json");
    assertThat(openApi.at("/components/schemas/Instance/properties/rate_limit/description").asText())
        .startsWith("requests per second");
  }

  @Test
  void anInstanceFormWithSevenBadFieldsShowsSevenErrorsInOneAnswer() {
    Map<String, String> form = new LinkedHashMap<>();
    form.put("name", "Not A Name");
    form.put("port", "eighty");
    form.put("weight", "500");
    form.put("upstream_url", "ftp://nowhere");
    form.put("max_fails", "-3");
    form.put("allowed_origins", "not an origin");
    form.put("model_aliases", "no-equals-sign");
    form.put("managed", "false");

    Page refused = browser.post("/instances/new", form);

    assertThat(refused.status()).isEqualTo(400);
    assertThat(refused.body()).contains("name must be", "port must be an integer", "weight must be an integer from 1 to 100",
        "upstream_url must be", "max_fails must be", "allowed_origins must be", "model_aliases must be");
    assertThat(Browser.api(console, data, "/instances")).as("nothing stored").isEmpty();
  }

  @Test
  void theApiListsEveryRefusedFieldAndKeepsTheFirstAsField() {
    JsonNode refused = api("POST", "/instances", "{\"name\":\"Bad Name\",\"weight\":0,\"port\":\"80\",\"colour\":1}");

    assertThat(refused.path("status").asInt()).isEqualTo(400);
    assertThat(refused.path("field").asText()).isEqualTo("port");
    assertThat(refused.path("errors").findValuesAsText("field")).containsExactlyInAnyOrder("port", "colour", "name", "weight");

    JsonNode settings = api("PATCH", "/settings", "{\"health.rise\":0,\"health.fall\":\"x\",\"nginx.mode\":\"off\"}");
    assertThat(settings.path("status").asInt()).isEqualTo(400);
    assertThat(settings.path("errors").findValuesAsText("field")).containsExactly("health.rise", "health.fall", "nginx.mode");
  }

  @Test
  void aSettingsFormWithTwoBadValuesShowsBothAndStoresNeither() {
    browser.get("/settings");
    Page refused = browser.post("/settings", Map.of("health.interval_ms", "5", "events.keep_days", "forever",
        "health.rise", "3"));

    assertThat(refused.status()).isEqualTo(400);
    assertThat(refused.body()).contains("health.interval_ms must be an integer from 200 to 600000",
        "events.keep_days must be an integer from 1 to 36500");
    assertThat(Browser.api(console, data, "/settings").path("health.rise").asText()).isEqualTo("2");
  }

  @Test
  void thePasswordFormNamesEveryProblemAtOnceInPlainWords() {
    browser.get("/password");
    Page refused = browser.post("/password", Map.of("current_password", "not it at all", "new_password", "short",
        "repeat_password", "shorter"));

    assertThat(refused.status()).isEqualTo(400);
    assertThat(refused.body()).contains("this is not the current password: type the one you log in with",
        "a password has 12 to 128 characters, this one has 5", "the two new passwords differ")
        .doesNotContain("is not right");
  }

  @Test
  void settingsReadAsWordsWithTheirKeySmallChoicesAsSelectsAndRestartWhereItApplies() {
    Page settings = browser.get("/settings");

    assertThat(settings.body()).contains("Check every", "(ms)", "How often each enabled instance", "health.interval_ms")
        .contains("<select id=\"routing-by_model\" name=\"routing.by_model\"",
            "<select id=\"routing-unknown_model\" name=\"routing.unknown_model\"")
        .doesNotContain("name=\"routing.by_model\" type=\"text\"");
    String supervise = section(settings.body(), "id=\"group-supervise\"", "</fieldset>");
    assertThat(supervise).contains("These apply after a console restart");
    String health = section(settings.body(), "id=\"group-health\"", "</fieldset>");
    assertThat(health).as("health is read as it changes").doesNotContain("restart");
  }

  @Test
  void theInstancePageSaysWhatItsStepsDid() {
    JsonNode created = api("POST", "/instances", "{\"name\":\"b3\",\"managed\":false,\"upstream_url\":\"http://127.0.0.1:11435\"}");
    long id = created.path("id").asLong();

    Page made = browser.post("/instances/new", Map.of("name", "b4", "managed", "false"));
    assertThat(made.status()).isEqualTo(303);
    Page shown = browser.get(made.location());
    assertThat(shown.body()).contains("Added b4 on 127.0.0.1:");

    Page page = browser.get("/instances/" + id);
    assertThat(page.body()).contains("→ 127.0.0.1:11435 (auto)", "id=\"settings\"", "href=\"#settings\"",
        "hx-post=\"/instances/" + id + "/remove");
    Page saved = browser.post("/instances/" + id, Map.of("weight", "4", "version", created.path("version").asText()));
    assertThat(saved.status()).isEqualTo(303);
    assertThat(browser.get(saved.location()).body()).contains("Saved as version 2.")
        .as("nginx is off here: no revision").contains("No new nginx revision was made")
        .doesNotContain("nginx and the bridge follow the change");

    assertThat(browser.get("/").body()).as("the dashboard shows the upstream's port too").contains("→ 127.0.0.1:11435 (auto)")
        .contains("href=\"/instances/" + id + "#settings\"");
  }

  @Test
  void theLogPanelSaysWhatTheBridgeLogsAndWarnsWhenItLogsBodies() {
    JsonNode created = api("POST", "/instances", "{\"name\":\"logged\",\"enabled\":false}");
    long id = created.path("id").asLong();

    assertThat(created.path("log_bodies").asBoolean(true)).as("off by default").isFalse();
    assertThat(browser.get("/instances/" + id).body()).contains("What the bridge writes", "request log",
        "/logs?instance=logged").doesNotContain("log-bodies-warning");
    api("PATCH", "/instances/" + id, "{\"version\":" + created.path("version").asLong() + ",\"log_bodies\":true}");
    assertThat(browser.get("/instances/" + id).body()).contains("log-bodies-warning", "prompts and answers of its requests are");
  }

  @Test
  void eventsAreFoundByAPartOfTheTargetATextAndATimeRangeAndPagedBothWays() {
    for (String name : new String[] {"alpha-one", "alpha-two", "beta"}) {
      api("POST", "/instances", "{\"name\":\"" + name + "\",\"managed\":false}");
    }

    Page byPart = browser.get("/events?target_contains=ALPHA");
    assertThat(byPart.body()).contains(">alpha-one<", ">alpha-two<").doesNotContain(">beta<");
    JsonNode found = Browser.api(console, data, "/events?q=EXTERNAL&target_contains=bet");
    assertThat(found.path("events").findValuesAsText("target")).containsOnly("beta").isNotEmpty();
    assertThat(Browser.api(console, data, "/events?to=2000-01-01T00:00:00Z").path("events")).isEmpty();
    assertThat(Browser.api(console, data, "/events?from=2000-01-01T00:00:00Z&target=beta").path("events")).isNotEmpty();
    assertThat(Browser.api(console, data, "/events?target=alpha").path("events")).as("target alone is exact, as before").isEmpty();

    JsonNode first = Browser.api(console, data, "/events?limit=2");
    long last = first.path("events").get(1).path("id").asLong();
    assertThat(first.path("more").asBoolean()).isTrue();
    JsonNode older = Browser.api(console, data, "/events?limit=2&before=" + last);
    long olderFirst = older.path("events").get(0).path("id").asLong();
    JsonNode newer = Browser.api(console, data, "/events?limit=2&after=" + olderFirst);
    assertThat(newer.path("events").findValuesAsText("id")).containsExactlyElementsOf(first.path("events").findValuesAsText("id"));

    Page second = browser.get("/events?before=" + last + "&target_contains=a");
    assertThat(second.body()).contains("rel=\"prev\"", ">Newer<", "after=");

    for (String bad : new String[] {"target_contains=" + "t".repeat(201), "q=" + "q".repeat(201), "before=3&after=2",
        "from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z"}) {
      assertThat(apiStatus("/events?" + bad)).as(bad).isEqualTo(400);
    }
    for (String param : new String[] {"limit", "before", "after", "tz", "from", "to"}) {
      for (String hostile : new String[] {"0.5", "-1", "1e30", "18446744073709551621", "%0A", "%00", "x", "%20",
          "9".repeat(300)}) {
        if (param.equals("tz") && hostile.equals("-1")) {
          continue; // a minute west of UTC: a zone, if an odd one
        }
        JsonNode answer = api("GET", "/events?" + param + "=" + hostile, null);
        assertThat(answer.path("status").asInt()).as(param + "=" + hostile + ": " + answer).isEqualTo(400);
        assertThat(answer.path("field").asText()).as(param + "=" + hostile).isEqualTo(param);
      }
    }
    assertThat(api("GET", "/events?from=yesterday", null).path("field").asText()).isEqualTo("from");
    assertThat(browser.get("/events?from=yesterday").status()).isEqualTo(400);
  }

  @Test
  void theLoginPageNamesThePasswordFileOnlyWhileItHoldsThePassword() throws IOException {
    Browser anonymous = new Browser(console.port(), null);
    assertThat(anonymous.get("/login").body()).contains("admin-password");

    browser.get("/password");
    String first = Files.readString(data.resolve("admin-password")).strip();
    Page changed = browser.post("/password", Map.of("current_password", first, "new_password", "a much better passphrase",
        "repeat_password", "a much better passphrase"));
    assertThat(changed.status()).isEqualTo(200);

    assertThat(anonymous.get("/login").body()).doesNotContain("admin-password");
  }

  @Test
  void theCopyReadsPlainly() {
    long id = api("POST", "/instances", "{\"name\":\"copy\",\"managed\":false}").path("id").asLong();
    Page page = browser.get("/instances/" + id);
    assertThat(page.body()).contains("none set: clients need no key").doesNotContain("blank keeps 0 set")
        .contains("admin · change password");

    JsonNode aliases = api("POST", "/instances", "{\"model_aliases\":[\"x\"],\"managed\":false}");
    String message = aliases.path("error").asText();
    assertThat(message).startsWith("model_aliases must be");
    assertThat(message.replaceFirst("\\([^()]*\\)", "")).as("no parentheses inside parentheses").doesNotContain("(");
  }

  private static String section(String body, String from, String to) {
    int start = body.indexOf(from);
    assertThat(start).as(from).isNotNegative();
    return body.substring(start, body.indexOf(to, start));
  }

  private JsonNode api(String method, String path, String body) {
    Request.Builder request = new Request.Builder().url("http://127.0.0.1:" + console.port() + "/api/v1" + path)
        .header("Authorization", "Bearer " + Browser.adminToken(data));
    request.method(method, body == null ? null : RequestBody.create(body, MediaType.get("application/json")));
    try (Response response = HTTP.newCall(request.build()).execute()) {
      return JSON.readTree(response.body().string());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private int apiStatus(String path) {
    return Browser.apiStatus(console, path, Browser.adminToken(data));
  }
}
