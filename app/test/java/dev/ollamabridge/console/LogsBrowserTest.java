package dev.ollamabridge.console;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ollamabridge.console.instances.BridgeLaunch;
import dev.ollamabridge.console.logs.RequestLogLines;
import dev.ollamabridge.fake.FakeOllama;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The Logs page in real headless Chromium: it follows live traffic through a real nginx and bridge (rows
 * appear without a reload), a request is followed from nginx's line to the bridge's by its id, a log's
 * text stays text; and a day of generated lines, looked at in screenshots at 1280 px and phone width
 * ({@code target/screenshots/logs-*}).
 */
class LogsBrowserTest {

  private static final Duration PATIENCE = Duration.ofSeconds(90);
  private static final OkHttpClient HTTP = new OkHttpClient.Builder().readTimeout(Duration.ofSeconds(30)).build();
  private static Chromium browser;

  @TempDir Path data;
  private FakeOllama backend;
  private ManagedNginxFixture nginx;
  private ConsoleApp console;

  @RegisterExtension
  static final ChromiumPerClass CHROMIUM = new ChromiumPerClass("logs", 1280, 800);

  @BeforeAll
  static void takeBrowser() {
    browser = CHROMIUM.browser();
  }

  @AfterEach
  void stop() {
    Teardown.run(Teardown.closing(console), Teardown.closing(nginx), Teardown.closing(backend));
  }

  @Test
  void thePageFollowsLiveTrafficAndARequestIsFollowedFromNginxToTheBridgeByItsId() throws IOException {
    backend = FakeOllama.start(FakeOllama.Options.defaults());
    nginx = new ManagedNginxFixture(data);
    // with its bodies logged: the record shows the prompt and the answer too
    ConsoleClient.Answer created = nginx.api.post("/instances", "{\"name\":\"alpha\",\"upstream_url\":\"" + backend.baseUrl()
        + "\",\"log_bodies\":true}");
    assertThat(created.status()).as(String.valueOf(created.body())).isEqualTo(201);
    nginx.awaitHealthy(created.body().path("id").asLong());
    nginx.awaitSettled();
    browser.fresh("logs-live", 1280, 800);
    logIn(nginx.console);
    browser.open("http://127.0.0.1:" + nginx.console.port() + "/logs");
    browser.await("#follow", PATIENCE).click();
    browser.driver.executeScript("window.notReloaded = true;");

    assertThat(chat("follow-me-1", "fake-llama")).isEqualTo(200);
    assertThat(chat("follow-me-2", "<img src=x onerror=alert(1)>")).isNotEqualTo(200);

    // both requests' lines arrive by the page's own polls: the bridge's and nginx's for the first
    new WebDriverWait(browser.driver, PATIENCE).ignoring(StaleElementReferenceException.class).until(driver ->
        rowsOf("follow-me-1").containsAll(List.of("alpha @ local", "nginx @ local")) && !rowsOf("follow-me-2").isEmpty());
    assertThat(browser.driver.executeScript("return window.notReloaded === true")).as("no reload").isEqualTo(true);
    browser.screenshot("following");
    assertThat(browser.all("#request-rows img")).as("a client's text is never HTML").isEmpty();
    assertThat(browser.find("#request-rows").getText()).contains("<img src=x onerror=alert(1)>");

    // the record: nginx's line and the bridge's, by the id
    browser.find("#request-rows tr[data-key^='bridge|alpha @ local|'][data-key$='~follow-me-1'] td.route").click();
    browser.awaitText("#record", "follow-me-1", PATIENCE);
    new WebDriverWait(browser.driver, PATIENCE).until(driver -> browser.all("#record pre.nginx-line").size() == 1
        && browser.all("#record pre.bridge-line").size() == 1);
    assertThat(browser.text("#record pre.bridge-line")).contains("\"id\" : \"follow-me-1\"", "\"instance\" : \"alpha\"",
        "\"status\" : 200", "\"request_body\"", "follow me, please");
    assertThat(browser.text("#record pre.nginx-line")).contains("\"id\" : \"follow-me-1\"", "\"upstream\"");
    browser.screenshot("followed");
    browser.assertNoConsoleErrors();
  }

  @Test
  void aDayOfRequestsReadsWellAtDesktopAndPhoneWidth() throws IOException {
    console = TestConsoles.start(data);
    ConsoleClient api = TestConsoles.client(console, data);
    for (String name : List.of("gpu-a", "gpu-b", "cloud")) {
      // disabled: no bridge runs, but their request logs are read
      assertThat(api.post("/instances", "{\"name\":\"" + name + "\",\"upstream_url\":\"http://127.0.0.1:9\",\"enabled\":false}")
          .status()).isEqualTo(201);
    }
    String lastId = writeADay();
    Files.writeString(data.resolve("nginx/logs/error.log"), String.join("\n",
        "2026/12/07 03:12:09 [warn] 4711#4711: *88 an upstream response is buffered to a temporary file",
        "2026/12/07 09:40:51 [error] 4711#4711: *913 connect() failed (111: Connection refused) while connecting to upstream, "
            + "client: 127.0.0.1, server: _, request: \"POST /v1/chat/completions HTTP/1.1\", upstream: \"http://127.0.0.1:3101/v1/chat/completions\"",
        "2026/12/07 09:40:52 [warn] 4711#4711: *913 upstream server temporarily disabled while connecting to upstream") + "\n");

    String cursor = api.get("/logs/requests").body().path("cursor").asText();
    for (String query : List.of("limit=200", "after=" + cursor)) {
      long[] took = new long[15];
      for (int i = 0; i < took.length; i++) {
        long start = System.nanoTime();
        assertThat(api.get("/logs/requests?" + query).status()).isEqualTo(200);
        took[i] = (System.nanoTime() - start) / 1000;
      }
      java.util.Arrays.sort(took);
      System.out.printf("logs: GET /api/v1/logs/requests?%s over a day (3 bridges and nginx): median %d µs, slowest %d µs"
          + " of %d%n", query.startsWith("after") ? "after=CURSOR (follow)" : query, took[took.length / 2],
          took[took.length - 1], took.length);
    }

    browser.fresh("logs-day", 1280, 800);
    logIn(console);
    browser.open("http://127.0.0.1:" + console.port() + "/logs");
    browser.await("#request-rows tr", PATIENCE);
    browser.awaitText("#nginx-errors", "connect() failed", PATIENCE);
    assertThat(browser.all("#request-rows tr")).hasSize(200);
    browser.find("#request-rows tr[data-key$='~" + lastId + "'] td.route").click();
    browser.awaitText("#record", lastId, PATIENCE);
    browser.shotsAtBothWidths("day", ".table-wrap");

    browser.open("http://127.0.0.1:" + console.port() + "/logs?status=5xx&instance=gpu-b");
    browser.await("#request-rows tr", PATIENCE);
    assertThat(browser.all("#request-rows tr td.num .badge")).allMatch(badge -> badge.getText().startsWith("5"));
    browser.shotsAtBothWidths("day-5xx", ".table-wrap");
    browser.assertNoConsoleErrors();
  }

  /** A day of traffic on three bridges and nginx, a request every ~40 s; the id of the newest bridge line. */
  private String writeADay() throws IOException {
    Random random = new Random(24);
    Instant end = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    Instant at = end.minus(Duration.ofDays(1));
    String[] instances = {"gpu-a", "gpu-b", "cloud"};
    String[] keys = {"web-app", "batch-jobs", "alice", null};
    String[] models = {"llama3.2:3b", "qwen2.5-coder:7b", "deepseek-r1:14b"};
    List<List<String>> bridgeLines = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
    List<String> nginxLines = new ArrayList<>();
    String last = null;
    while (at.isBefore(end)) {
      int which = random.nextInt(3);
      String id = String.format("%016x%016x", random.nextLong(), random.nextLong());
      int roll = random.nextInt(100);
      int status = roll < 85 ? 200 : roll < 91 ? 429 : roll < 95 ? 401 : roll < 98 ? 502 : 504;
      String error = switch (status) {
        case 429 -> "rate_limit_exceeded: key over 60 requests per minute";
        case 401 -> "invalid_api_key: no key or an unknown one";
        case 502 -> "upstream unreachable: connect to 127.0.0.1:11434 refused";
        case 504 -> "upstream timeout after 300000 ms";
        default -> null;
      };
      String model = models[random.nextInt(models.length)];
      long latency = status == 200 ? 200 + random.nextInt(6000) : random.nextInt(40);
      bridgeLines.get(which).add(RequestLogLines.bridge(at, id, keys[random.nextInt(keys.length)], model, status, latency, error));
      nginxLines.add(RequestLogLines.nginx(at.plusMillis(latency + 2), id, "/v1/chat/completions", status, model));
      last = id;
      at = at.plusSeconds(20 + random.nextInt(40));
    }
    for (int i = 0; i < instances.length; i++) {
      write(BridgeLaunch.requestLog(data, instances[i]), bridgeLines.get(i));
    }
    write(data.resolve("nginx/logs/requests.jsonl"), nginxLines);
    return last;
  }

  private static void write(Path file, List<String> lines) throws IOException {
    Files.createDirectories(file.getParent());
    Files.writeString(file, String.join("\n", lines) + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
  }

  /** Where the rows of this request id come from, as the table shows them. */
  private List<String> rowsOf(String id) {
    return browser.all("#request-rows tr[data-key$='~" + id + "'] td:nth-child(3)").stream().map(WebElement::getText).toList();
  }

  /** A chat through nginx with this request id; its status. */
  private int chat(String id, String model) throws IOException {
    String body = "{\"model\":" + new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(model)
        + ",\"stream\":false,\"messages\":[{\"role\":\"user\",\"content\":\"follow me, please\"}]}";
    Request request = new Request.Builder().url("http://127.0.0.1:" + nginx.nginxPort + "/v1/chat/completions")
        .header("X-Request-Id", id).post(RequestBody.create(body, MediaType.get("application/json"))).build();
    try (Response response = HTTP.newCall(request).execute()) {
      response.body().bytes();
      return response.code();
    }
  }

  private void logIn(ConsoleApp at) throws IOException {
    browser.logIn("http://127.0.0.1:" + at.port() + "/login", Files.readString(data.resolve("admin-password")).strip(), PATIENCE);
    browser.await("main", PATIENCE);
  }
}
