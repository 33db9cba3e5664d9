package dev.ollamabridge.console;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ollamabridge.Main;
import dev.ollamabridge.fake.FakeOllama;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code console stop-all}: what a stopped console leaves running (nginx, the bridges) ends, and a
 * request on its way through them when it is run is answered to its end first.
 */
class StopAllTest {

  private static final OkHttpClient HTTP = new OkHttpClient.Builder().readTimeout(Duration.ofSeconds(60)).build();

  @TempDir Path data;
  // 40 tokens at 20 per second: a stream that is still on its way when stop-all begins
  private final FakeOllama backend = FakeOllama.start(FakeOllama.Options.defaults().withTokenRate(20).withTokens(40));
  private ManagedNginxFixture nginx;

  @AfterEach
  void close() {
    try {
      if (nginx != null) {
        nginx.close();
      }
    } finally {
      backend.close();
    }
  }

  @Test
  void stopAllEndsNginxAndEveryBridgeAfterTheRequestsTheyHaveAreAnswered() throws Exception {
    nginx = new ManagedNginxFixture(data);
    long first = nginx.create("b1", backend.baseUrl(), 1);
    long second = nginx.create("b2", backend.baseUrl(), 1);
    nginx.awaitSettled();
    List<ProcessHandle> running = new ArrayList<>();
    for (long id : List.of(first, second)) {
      running.add(ProcessHandle.of(nginx.api.get("/instances/" + id).body().at("/process/pid").asLong()).orElseThrow());
    }
    running.add(ProcessHandle.of(nginxMasterPid()).orElseThrow());

    Run refused = stopAll();
    assertThat(refused.code()).isEqualTo(1);
    assertThat(refused.err()).contains("a console is running on", "stop it first (Ctrl-C), then run stop-all again");
    assertThat(running).allMatch(ProcessHandle::isAlive);

    CountDownLatch firstChunk = new CountDownLatch(1);
    CompletableFuture<List<String>> stream = CompletableFuture.supplyAsync(() -> streamedChat(firstChunk));
    assertThat(firstChunk.await(60, TimeUnit.SECONDS)).as("the stream's first chunk came").isTrue();
    nginx.console.close(); // leaves the bridges and nginx running, by design

    Run stopped = stopAll();

    assertThat(stopped.code()).as(stopped.err()).isZero();
    assertThat(stopped.out()).contains("Stopped nginx (pid " + nginxPidOf(running) + ")", "Stopped b1 (pid ", "Stopped b2 (pid ")
        .doesNotContain("Killed");
    assertThat(stopped.out().lines().findFirst().orElse("")).as("nginx goes first").startsWith("Stopped nginx");
    assertThat(running).noneMatch(ProcessHandle::isAlive);
    List<String> lines = stream.get(60, TimeUnit.SECONDS);
    assertThat(lines).as("the stream in flight was answered to its end").isNotEmpty();
    assertThat(lines.get(lines.size() - 1)).contains("\"done\":true");

    Run again = stopAll();
    assertThat(again.code()).isZero();
    assertThat(again.out()).contains("Nothing was running.");
  }

  private record Run(int code, String out, String err) {}

  private Run stopAll() {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine commandLine = Main.commandLine();
    commandLine.setOut(new PrintWriter(out));
    commandLine.setErr(new PrintWriter(err));
    int code = commandLine.execute("console", "stop-all", "--data", data.toString(), "--wait", "30");
    return new Run(code, out.toString(), err.toString());
  }

  private long nginxMasterPid() throws Exception {
    return Long.parseLong(java.nio.file.Files.readString(data.resolve("run/nginx.pid")).lines()
        .filter(line -> line.startsWith("pid=")).findFirst().orElseThrow().substring(4).trim());
  }

  private static long nginxPidOf(List<ProcessHandle> running) {
    return running.get(running.size() - 1).pid();
  }

  /** Ollama's NDJSON lines of a streamed chat through nginx; counts the latch down at the first. */
  private List<String> streamedChat(CountDownLatch firstChunk) {
    Request request = new Request.Builder().url("http://127.0.0.1:" + nginx.nginxPort + "/api/chat")
        .post(RequestBody.create("{\"model\":\"fake-llama\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"tell a story\"}]}",
            MediaType.get("application/json"))).build();
    List<String> lines = new ArrayList<>();
    try (Response response = HTTP.newCall(request).execute();
        BufferedReader reader = new BufferedReader(new InputStreamReader(response.body().byteStream(), StandardCharsets.UTF_8))) {
      for (String line = reader.readLine(); line != null; line = reader.readLine()) {
        lines.add(line);
        firstChunk.countDown();
      }
    } catch (Exception e) {
      lines.add("failed: " + e);
    }
    return lines;
  }
}
