package dev.ollamabridge.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ollamabridge.console.web.Browser;
import dev.ollamabridge.fake.FakeOllama;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A deliberate Stop or Restart takes the instance out of nginx before its process is signalled:
 * from the moment the console answers, nginx sends it nothing (its access log names no request
 * to it), no client sees an error, and the instance reads stopped, not healthy, nor counted up.
 */
class DeliberateStopTest {

  private static final OkHttpClient HTTP = new OkHttpClient.Builder().readTimeout(Duration.ofSeconds(30)).build();

  @TempDir Path data;
  private final FakeOllama backend = FakeOllama.start(FakeOllama.Options.defaults().withTokens(3));
  private ManagedNginxFixture nginx;

  @AfterEach
  void stop() {
    Teardown.run(() -> {
      if (nginx != null) {
        nginx.close();
      }
    }, backend::close);
  }

  @Test
  void afterStopAnswersNginxSendsTheInstanceNothingAndItReadsStopped() throws Exception {
    nginx = new ManagedNginxFixture(data);
    long a = nginx.create("a", backend.baseUrl(), 1);
    long b = nginx.create("b", backend.baseUrl(), 1);
    nginx.awaitHealthy(a);
    nginx.awaitHealthy(b);
    nginx.awaitSettled();
    String bAddress = "127.0.0.1:" + nginx.port(b);

    try (Load load = new Load(nginx.nginxPort, "before-stop")) {
      load.awaitMore(10);
      ConsoleClient.Answer stopped = nginx.api.post("/instances/" + b + "/stop", "");
      assertThat(stopped.status()).as(String.valueOf(stopped.body())).isEqualTo(200);
      load.tag("after-stop");
      load.awaitMore(30);
      load.stop();
      assertThat(load.failures()).as(nginx.errorLogTail()).isEmpty();
    }

    assertThat(accessLog("after-stop")).as("requests sent after Stop answered").isNotEmpty()
        .noneMatch(line -> line.contains(bAddress));
    assertThat(Files.readString(data.resolve("nginx/logs/error.log")))
        .as("nginx never tried the stopped bridge, before Stop answered or after").doesNotContain(bAddress);
    assertThat(nginx.appliedConfig()).contains("# b: down, stopped");
    JsonNode instance = nginx.api.get("/instances/" + b).body();
    assertThat(instance.at("/process/state").asText()).isEqualTo("STOPPED");
    assertThat(instance.at("/health/healthy").asBoolean()).as(instance.path("health").toString()).isFalse();
    Browser browser = Browser.loggedIn(nginx.console, data);
    String live = browser.get("/instances/live").body();
    assertThat(row(live, b)).contains("data-field=\"health\">stopped<").doesNotContain(">healthy<");
    assertThat(live).contains("<dd id=\"total-up\">1 / 2</dd>");
  }

  @Test
  void aRestartFromTheDashboardTakesTheInstanceOutFirstAndBackOnlyOnceItPassesItsChecks() throws Exception {
    nginx = new ManagedNginxFixture(data);
    long a = nginx.create("a", backend.baseUrl(), 1);
    long b = nginx.create("b", backend.baseUrl(), 1);
    nginx.awaitHealthy(a);
    nginx.awaitHealthy(b);
    nginx.awaitSettled();
    long pid = nginx.api.get("/instances/" + b).body().at("/process/pid").asLong();
    Browser browser = Browser.loggedIn(nginx.console, data);

    try (Load load = new Load(nginx.nginxPort, "before-restart")) {
      load.awaitMore(10);
      browser.get("/");
      String live = browser.post("/instances/" + b + "/restart", Map.of()).body();
      assertThat(row(live, b)).doesNotContain(">healthy<");
      await().atMost(ManagedNginxFixture.PATIENCE).until(() -> nginx.api.get("/instances/" + b).body().at("/process/pid")
          .asLong() != pid);
      nginx.awaitHealthy(b);
      nginx.awaitServing("a", "b");
      load.awaitMore(30);
      load.stop();
      assertThat(load.failures()).as(nginx.errorLogTail()).isEmpty();
    }
    assertThat(Files.readString(data.resolve("nginx/logs/error.log"))).as("nginx never tried the stopped bridge")
        .doesNotContain("127.0.0.1:" + nginx.port(b));
  }

  @Test
  void aRemovalDrainsTheInstanceInNginxBeforeItsBridgeStops() throws Exception {
    nginx = new ManagedNginxFixture(data);
    long a = nginx.create("a", backend.baseUrl(), 1);
    long b = nginx.create("b", backend.baseUrl(), 1);
    nginx.awaitHealthy(a);
    nginx.awaitHealthy(b);
    nginx.awaitSettled();
    String bAddress = "127.0.0.1:" + nginx.port(b);
    long version = nginx.api.get("/instances/" + b).body().path("version").asLong();

    try (Load load = new Load(nginx.nginxPort, "before-remove")) {
      load.awaitMore(10);
      assertThat(nginx.api.delete("/instances/" + b + "?version=" + version).status()).isEqualTo(204);
      load.tag("after-remove");
      load.awaitMore(30);
      load.stop();
      assertThat(load.failures()).as(nginx.errorLogTail()).isEmpty();
    }

    assertThat(accessLog("after-remove")).isNotEmpty().noneMatch(line -> line.contains(bAddress));
    assertThat(Files.readString(data.resolve("nginx/logs/error.log"))).as("nginx never tried the removed bridge")
        .doesNotContain(bAddress);
  }

  /** The row of an instance in the dashboard's live part. */
  private static String row(String live, long id) {
    int start = live.indexOf("<tr id=\"instance-" + id + "\"");
    assertThat(start).as("a row for instance " + id).isNotNegative();
    return live.substring(start, live.indexOf("</tr>", start));
  }

  /** The lines of nginx's access log for requests sent with this tag. */
  private List<String> accessLog(String tag) throws IOException {
    return Files.readAllLines(data.resolve("nginx/logs/access.log")).stream().filter(line -> line.contains("?" + tag)).toList();
  }

  /** Two clients sending non-streamed chats through nginx, each request tagged in its query string. */
  private static final class Load implements AutoCloseable {
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicLong sent = new AtomicLong();
    private final List<String> failures = Collections.synchronizedList(new ArrayList<>());
    private final List<Thread> clients = new ArrayList<>();
    private volatile String tag;

    Load(int nginxPort, String tag) {
      this.tag = tag;
      for (int i = 0; i < 2; i++) {
        Thread client = new Thread(() -> {
          while (running.get()) {
            String sentWith = this.tag;
            Request request = new Request.Builder().url("http://127.0.0.1:" + nginxPort + "/api/chat?" + sentWith)
                .post(RequestBody.create("{\"model\":\"fake-llama\",\"stream\":false,\"messages\":[{\"role\":\"user\","
                    + "\"content\":\"hi\"}]}", MediaType.get("application/json"))).build();
            try (Response response = HTTP.newCall(request).execute()) {
              response.body().bytes();
              if (response.code() != 200) {
                failures.add(sentWith + ": status " + response.code());
              }
            } catch (IOException e) {
              failures.add(sentWith + ": " + e);
            }
            sent.incrementAndGet();
          }
        }, "load-" + i);
        client.start();
        clients.add(client);
      }
    }

    /** Requests from now on carry this tag; one already on its way keeps the one it was sent with. */
    void tag(String tag) {
      this.tag = tag;
    }

    void awaitMore(int requests) {
      long target = sent.get() + requests;
      await().atMost(ManagedNginxFixture.PATIENCE).until(() -> sent.get() >= target);
    }

    List<String> failures() {
      return List.copyOf(failures);
    }

    void stop() throws InterruptedException {
      running.set(false);
      for (Thread client : clients) {
        client.join();
      }
    }

    @Override
    public void close() throws InterruptedException {
      stop();
    }
  }
}
