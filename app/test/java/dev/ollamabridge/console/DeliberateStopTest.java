package dev.ollamabridge.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ollamabridge.console.web.Browser;
import dev.ollamabridge.fake.FakeOllama;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A deliberate Stop, Restart or Remove takes the instance out of nginx before its process is
 * signalled: nginx never tries the stopping bridge (its error log never names it), from the moment
 * the console answers nginx sends it nothing (its access log names no request to it), no client
 * sees an error, and a stopped instance reads stopped, neither healthy nor counted up.
 */
class DeliberateStopTest {

  @TempDir Path data;
  private final FakeOllama backend = FakeOllama.start(FakeOllama.Options.defaults().withTokens(3));
  private ManagedNginxFixture nginx;
  private long b;
  private String bAddress;

  /** Two instances, a and b, settled behind nginx. */
  @BeforeEach
  void start() throws Exception {
    nginx = new ManagedNginxFixture(data);
    b = nginx.createSettled(backend.baseUrl(), "a", "b")[1];
    bAddress = "127.0.0.1:" + nginx.port(b);
  }

  @AfterEach
  void stop() {
    Teardown.run(Teardown.closing(nginx), backend::close);
  }

  @Test
  void afterStopAnswersNginxSendsTheInstanceNothingAndItReadsStopped() throws Exception {
    try (SteadyLoad load = new SteadyLoad(nginx, 2, "before-stop")) {
      load.awaitMore(10);
      ConsoleClient.Answer stopped = nginx.api.post("/instances/" + b + "/stop", "");
      assertThat(stopped.status()).as(String.valueOf(stopped.body())).isEqualTo(200);
      load.tag("after-stop");
      load.awaitMore(30);
      load.stop();
      assertThat(load.failures()).as(nginx.errorLogTail()).isEmpty();
    }

    assertThat(nginx.accessLog("after-stop")).as("requests sent after Stop answered").isNotEmpty()
        .noneMatch(line -> line.contains(bAddress));
    assertThat(nginx.errorLog()).as("nginx never tried the stopped bridge, before Stop answered or after")
        .doesNotContain(bAddress);
    assertThat(nginx.appliedConfig()).contains("# b: down, stopped");
    JsonNode instance = nginx.api.get("/instances/" + b).body();
    assertThat(instance.at("/process/state").asText()).isEqualTo("STOPPED");
    assertThat(instance.at("/health/healthy").asBoolean()).as(instance.path("health").toString()).isFalse();
    String live = Browser.loggedIn(nginx.console, data).post("/instances/live", Map.of()).body();
    assertThat(row(live, b)).contains("data-field=\"health\">stopped<").doesNotContain(">healthy<");
    assertThat(live).contains("<dd id=\"total-up\">1 / 2</dd>");
  }

  @Test
  void aRestartFromTheDashboardTakesTheInstanceOutFirstAndBackOnlyOnceItPassesItsChecks() throws Exception {
    long pid = nginx.api.get("/instances/" + b).body().at("/process/pid").asLong();
    Browser browser = Browser.loggedIn(nginx.console, data);

    try (SteadyLoad load = new SteadyLoad(nginx, 2)) {
      load.awaitMore(10);
      browser.get("/");
      assertThat(browser.post("/instances/" + b + "/restart", Map.of()).status()).isEqualTo(200);
      assertThat(row(browser.post("/instances/live", Map.of()).body(), b)).doesNotContain(">healthy<");
      await().atMost(ManagedNginxFixture.PATIENCE).until(() -> nginx.api.get("/instances/" + b).body().at("/process/pid")
          .asLong() != pid);
      nginx.awaitHealthy(b);
      nginx.awaitServing("a", "b");
      load.awaitMore(30);
      load.stop();
      assertThat(load.failures()).as(nginx.errorLogTail()).isEmpty();
    }
    assertThat(nginx.errorLog()).as("nginx never tried the stopping bridge").doesNotContain(bAddress);
  }

  @Test
  void aRemovalDrainsTheInstanceInNginxBeforeItsBridgeStops() throws Exception {
    long version = nginx.api.get("/instances/" + b).body().path("version").asLong();

    try (SteadyLoad load = new SteadyLoad(nginx, 2, "before-remove")) {
      load.awaitMore(10);
      assertThat(nginx.api.delete("/instances/" + b + "?version=" + version).status()).isEqualTo(204);
      load.tag("after-remove");
      load.awaitMore(30);
      load.stop();
      assertThat(load.failures()).as(nginx.errorLogTail()).isEmpty();
    }

    assertThat(nginx.accessLog("after-remove")).isNotEmpty().noneMatch(line -> line.contains(bAddress));
    assertThat(nginx.errorLog()).as("nginx never tried the removed bridge").doesNotContain(bAddress);
  }

  /** The row of an instance in the dashboard's live part. */
  private static String row(String live, long id) {
    int start = live.indexOf("<tr id=\"instance-" + id + "\"");
    assertThat(start).as("a row for instance " + id).isNotNegative();
    return live.substring(start, live.indexOf("</tr>", start));
  }
}
