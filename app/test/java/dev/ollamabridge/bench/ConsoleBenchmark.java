package dev.ollamabridge.bench;

import dev.ollamabridge.cli.HostPort;
import dev.ollamabridge.console.ConsoleApp;
import dev.ollamabridge.console.ConsoleConfig;
import dev.ollamabridge.fake.FakeOllama;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import okhttp3.FormBody;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.openqa.selenium.Cookie;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Measures what the web console costs: the time to answer the dashboard and its polled live part
 * with many instances, and the console's CPU while a browser keeps the dashboard open, against
 * the same console with no browser, in one run.
 *
 * <p>Run with {@code mvn -Pconsole-bench verify} (see README). Arguments: the number of instances
 * (default 50) and the seconds of each CPU measurement (default 30).
 */
public final class ConsoleBenchmark {

  private static final MediaType JSON = MediaType.get("application/json");
  private static final int RENDERS = 300;

  private final OkHttpClient http = new OkHttpClient.Builder().followRedirects(false).build();

  public static void main(String[] args) throws Exception {
    int instances = args.length > 0 ? Integer.parseInt(args[0]) : 50;
    Duration cpuWindow = Duration.ofSeconds(args.length > 1 ? Long.parseLong(args[1]) : 30);
    new ConsoleBenchmark().run(instances, cpuWindow);
    System.exit(0);
  }

  private void run(int count, Duration cpuWindow) throws Exception {
    Path data = Files.createTempDirectory("console-bench");
    try (FakeOllama backend = FakeOllama.start(FakeOllama.Options.defaults());
        ConsoleApp console = ConsoleApp.start(new ConsoleConfig(data, new HostPort("127.0.0.1", 0), false, "off", null))) {
      String base = "http://127.0.0.1:" + console.port();
      // external instances: rendered, health-checked and listed like managed ones, without 50 JVMs
      for (int i = 0; i < count; i++) {
        String body = "{\"name\":\"edge-" + i + "\",\"listen_host\":\"127.0.0.1\",\"port\":" + (20000 + i)
            + ",\"managed\":false,\"upstream_url\":\"" + backend.baseUrl() + "\"}";
        try (Response created = http.newCall(new Request.Builder().url(base + "/api/v1/instances")
            .header("Authorization", "Bearer " + console.adminToken()).post(RequestBody.create(body, JSON)).build()).execute()) {
          if (created.code() != 201) {
            throw new IllegalStateException("could not create instance " + i + ": " + created.body().string());
          }
        }
      }
      String session = logIn(base, Files.readString(data.resolve("admin-password")).strip());

      System.out.printf(Locale.ROOT, "%nweb console, %d instances (%d answers each, after as many to warm up)%n", count, RENDERS);
      System.out.printf(Locale.ROOT, "%-28s %9s %9s %9s%n", "page", "p50 ms", "p95 ms", "max ms");
      for (String page : new String[] {"/", "/api/v1/instances"}) {
        double[] millis = time(get(base + page, session, console.adminToken()));
        System.out.printf(Locale.ROOT, "%-28s %9.2f %9.2f %9.2f%n", page, percentile(millis, 50), percentile(millis, 95),
            percentile(millis, 100));
      }
      double[] poll = time(poll(base, session));
      System.out.printf(Locale.ROOT, "%-28s %9.2f %9.2f %9.2f%n", "POST /instances/live (poll)", percentile(poll, 50),
          percentile(poll, 95), percentile(poll, 100));

      double idle = cpuShare(cpuWindow);
      double withBrowser;
      try (Browser browser = new Browser(base, session)) {
        browser.awaitFirstPoll();
        withBrowser = cpuShare(cpuWindow);
      }
      System.out.printf(Locale.ROOT, "%nconsole CPU over %d s, share of one core%n", cpuWindow.toSeconds());
      System.out.printf(Locale.ROOT, "%-28s %8.2f %%%n", "no browser", idle * 100);
      System.out.printf(Locale.ROOT, "%-28s %8.2f %%%n", "dashboard open in Chromium", withBrowser * 100);
      System.out.printf(Locale.ROOT, "%-28s %8.2f %%%n", "added by the open dashboard", (withBrowser - idle) * 100);
    }
  }

  private String logIn(String base, String password) throws IOException {
    try (Response login = http.newCall(new Request.Builder().url(base + "/login")
        .post(new FormBody.Builder().add("user", "admin").add("password", password).build()).build()).execute()) {
      String cookie = login.header("Set-Cookie");
      if (login.code() != 303 || cookie == null) {
        throw new IllegalStateException("login failed: " + login.code());
      }
      return cookie.substring(cookie.indexOf('=') + 1, cookie.indexOf(';'));
    }
  }

  private static Request get(String url, String session, String token) {
    return new Request.Builder().url(url).header("Cookie", "ob_session=" + session)
        .header("Authorization", "Bearer " + token).build();
  }

  /** The dashboard's poll as the page sends it when nothing changed: every row's digest, with the page's CSRF token. */
  private Request poll(String base, String session) throws IOException {
    String page;
    try (Response dashboard = http.newCall(new Request.Builder().url(base + "/").header("Cookie", "ob_session=" + session)
        .build()).execute()) {
      page = dashboard.body().string();
    }
    Matcher csrf = Pattern.compile("X-CSRF-Token&#34;: &#34;([^&]+)&#34;|X-CSRF-Token\"\\s*:\\s*\"([^\"]+)\"").matcher(page);
    if (!csrf.find()) {
      throw new IllegalStateException("no CSRF token on the dashboard");
    }
    FormBody.Builder form = new FormBody.Builder().add("sort", "problems");
    Matcher field = Pattern.compile("name=\"(seen|summary)\" value=\"([^\"]+)\"").matcher(page);
    while (field.find()) {
      form.add(field.group(1), field.group(2));
    }
    return new Request.Builder().url(base + "/instances/live").header("Cookie", "ob_session=" + session)
        .header("X-CSRF-Token", csrf.group(1) != null ? csrf.group(1) : csrf.group(2)).post(form.build()).build();
  }

  private double[] time(Request request) throws IOException {
    String url = request.url().toString();
    double[] millis = new double[RENDERS];
    for (int round = 0; round < 2; round++) {
      for (int i = 0; i < RENDERS; i++) {
        long start = System.nanoTime();
        try (Response response = http.newCall(request).execute()) {
          response.body().bytes();
          if (response.code() != 200) {
            throw new IllegalStateException(url + " answered " + response.code());
          }
        }
        millis[i] = (System.nanoTime() - start) / 1e6;
      }
    }
    return millis;
  }

  /** This process's CPU time over the window, as a share of one core (the console runs in it). */
  private static double cpuShare(Duration window) throws InterruptedException {
    long before = cpuNanos();
    long start = System.nanoTime();
    Thread.sleep(window.toMillis());
    return (double) (cpuNanos() - before) / (System.nanoTime() - start);
  }

  private static long cpuNanos() {
    return ProcessHandle.current().info().totalCpuDuration().orElseThrow().toNanos();
  }

  private static double percentile(double[] values, double p) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int index = (int) Math.ceil(p / 100 * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
  }

  /** Debian's headless Chromium with the dashboard open and logged in. */
  private static final class Browser implements AutoCloseable {
    private final ChromeDriver driver;

    Browser(String base, String session) {
      ChromeOptions options = new ChromeOptions();
      options.setBinary("/usr/bin/chromium");
      options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
          "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage");
      driver = new ChromeDriver(new ChromeDriverService.Builder()
          .usingDriverExecutable(Path.of("/usr/bin/chromedriver").toFile()).usingAnyFreePort().build(), options);
      driver.get(base + "/login");
      driver.manage().addCookie(new Cookie("ob_session", session));
      driver.get(base + "/");
    }

    /** Returns once the dashboard has polled: it is loaded and polling. */
    void awaitFirstPoll() {
      new WebDriverWait(driver, Duration.ofSeconds(30)).until(d -> ((Number) driver.executeScript(
          "return performance.getEntriesByType('resource').filter(function (e) { return e.name.endsWith('/instances/live'); }).length"))
          .intValue() > 0);
    }

    @Override
    public void close() {
      driver.quit();
    }
  }
}
