package dev.ollamabridge.console.logs;

import static dev.ollamabridge.console.logs.RequestLogLines.bridge;
import static dev.ollamabridge.console.logs.RequestLogLines.nginx;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ollamabridge.console.hosts.HostUnavailable;
import dev.ollamabridge.console.instances.BridgeLaunch;
import dev.ollamabridge.console.instances.Instance;
import dev.ollamabridge.console.instances.InvalidInput;
import dev.ollamabridge.link.Request;
import dev.ollamabridge.logs.LogTail;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The last requests across the cluster from the logs' files: merged newest first, filtered, followed by
 * a cursor, one request's record by its id, and every malformed line skipped and counted.
 */
class RequestLogsTest {

  private static final Instant T0 = Instant.parse("2026-12-07T10:00:00.000Z");

  @TempDir Path data;

  /** The console's instances a and b, and (for the tests that ask one) a host whose agent answers with {@code remote}. */
  private final List<Instance> instances = new ArrayList<>(List.of(instance("a", "local"), instance("b", "local")));
  private final List<String> edges = new ArrayList<>();
  private final Map<String, List<String>> remote = new java.util.HashMap<>();

  private RequestLogs logs() {
    return new RequestLogs(data, new RequestLogs.Cluster() {
      @Override
      public List<Instance> instances() {
        return instances;
      }

      @Override
      public List<String> edges() {
        return edges;
      }

      @Override
      public CompletableFuture<List<String>> ask(String host, String what, String program, int lines, Duration within) {
        List<String> answer = remote.get(host + "/" + what + "/" + program);
        return answer == null ? CompletableFuture.failedFuture(new HostUnavailable("host " + host + " did not answer within 2000 ms"))
            : CompletableFuture.completedFuture(answer);
      }
    }, new ObjectMapper());
  }

  @Test
  void theBridgesAndNginxLinesAreMergedNewestFirstEachWithItsInstanceAndHost() throws IOException {
    append(bridgeLog("a"), bridge(at(1), "r1", "app", "llama3", 200, 40, null), bridge(at(4), "r4", "app", "llama3", 200, 41, null));
    append(bridgeLog("b"), bridge(at(2), "r2", "ops", "qwen", 503, 7, "upstream unreachable"));
    append(nginxLog(), nginx(at(3), "r3", "/v1/chat/completions", 404, "nope"));

    RequestLogs.Found found = logs().search(RequestQuery.all());

    assertThat(found.requests()).extracting(LoggedRequest::id).containsExactly("r4", "r3", "r2", "r1");
    assertThat(found.requests()).extracting(LoggedRequest::origin)
        .containsExactly("a @ local", "nginx @ local", "b @ local", "a @ local");
    LoggedRequest nginxLine = found.requests().get(1);
    assertThat(nginxLine.route()).isEqualTo("POST /v1/chat/completions");
    assertThat(nginxLine.status()).isEqualTo(404);
    assertThat(nginxLine.latencyMs()).isEqualTo(125);
    assertThat(found.requests().get(2).line()).containsEntry("instance", "b").containsEntry("host", "local")
        .containsEntry("source", "bridge").containsEntry("error", "upstream unreachable");
    assertThat(found.cursor()).isEqualTo(new RequestCursor(at(4).toEpochMilli(), "r4"));
    assertThat(found.skipped()).isZero();
    assertThat(found.unanswered()).isEmpty();
  }

  @Test
  void eachFilterKeepsOnlyItsLines() throws IOException {
    append(bridgeLog("a"), bridge(at(1), "ok-1", "app", "llama3", 200, 40, null),
        bridge(at(2), "bad-1", "app", "llama3", 429, 1, "Rate limit exceeded for key app"));
    append(bridgeLog("b"), bridge(at(3), "ok-2", "ops", "qwen", 200, 50, null),
        bridge(at(4), "bad-2", "ops", "qwen", 502, 9, "Upstream TIMEOUT after 30 s"));
    append(nginxLog(), nginx(at(5), "ok-2", "/v1/chat/completions", 200, "qwen"));

    assertThat(ids(query("status", "4xx"))).containsExactly("bad-1");
    assertThat(ids(query("status", "2xx"))).containsExactly("ok-2", "ok-2", "ok-1");
    assertThat(ids(query("key", "ops"))).containsExactly("bad-2", "ok-2");
    assertThat(ids(query("model", "qwen"))).containsExactly("ok-2", "bad-2", "ok-2");
    assertThat(ids(query("instance", "a"))).containsExactly("bad-1", "ok-1");
    assertThat(ids(query("host", "local"))).hasSize(5);
    assertThat(ids(query("q", "timeout"))).as("text in the error, any case").containsExactly("bad-2");
    assertThat(ids(query("limit", "2"))).containsExactly("ok-2", "bad-2");
  }

  @Test
  void followingAfterACursorGivesTheLinesWrittenSinceAndThoseOfTheGraceBeforeIt() throws IOException {
    append(bridgeLog("a"), bridge(at(1), "r1", "app", "llama3", 200, 40, null), bridge(at(10), "r2", "app", "llama3", 200, 40, null));
    RequestLogs logs = logs();
    RequestLogs.Found first = logs.search(RequestQuery.all());

    RequestLogs.Found nothingNew = logs.search(RequestQuery.all().after(first.cursor()));
    append(bridgeLog("b"), bridge(at(20), "r3", "ops", "qwen", 200, 40, null));
    append(bridgeLog("a"), bridge(at(20), "r3b", "app", "llama3", 500, 40, "boom"));
    RequestLogs.Found since = logs.search(RequestQuery.all().after(first.cursor()));
    // nginx stamps its line to the second, and writes it after the bridge's: earlier than the cursor now
    append(nginxLog(), nginx(at(20).minusMillis(400), "r3b", "/v1/chat/completions", 500, "llama3"));
    RequestLogs.Found late = logs.search(RequestQuery.all().after(since.cursor()));

    assertThat(ids(nothingNew)).as("the cursor's own line again, nothing older").containsExactly("r2");
    assertThat(nothingNew.cursor()).as("the cursor stays where it was").isEqualTo(first.cursor());
    assertThat(ids(since)).containsExactly("r3b", "r3", "r2");
    assertThat(since.cursor().toString()).isEqualTo(at(20).toEpochMilli() + "~r3b");
    assertThat(late.requests()).extracting(LoggedRequest::origin).containsExactly("a @ local", "b @ local", "nginx @ local");
    assertThat(RequestQuery.parse(param("after", since.cursor().toString())).after()).isEqualTo(since.cursor());
  }

  @Test
  void aMalformedLineIsSkippedAndCountedAndUnknownKeysAreLeftOut() throws IOException {
    String unknownKey = bridge(at(1), "good", "app", "llama3", 200, 40, null).replace("{", "{\"secret\":\"x\",");
    append(bridgeLog("a"),
        unknownKey,
        "not json at all",
        "[1,2,3]",
        "{\"id\":\"no-time\",\"status\":200}",
        bridge(at(2), "wrong-type", "app", "llama3", 200, 40, null).replace("\"status\":200", "\"status\":\"two hundred\""),
        bridge(at(3), "bad-bool", "app", "llama3", 200, 40, null).replace("\"stream\":false", "\"stream\":\"no\""),
        bridge(at(4), "<script>alert(1)</script>", "app", "llama3", 200, 40, null),
        bridge(at(5), "long", "app", "llama3", 200, 40, "x".repeat(RequestLines.MAX_LINE_CHARS)),
        bridge(at(6), "cut", "app", "llama3", 500, 40, "e".repeat(5000)));

    RequestLogs.Found found = logs().search(RequestQuery.all());

    assertThat(ids(found)).containsExactly("cut", "good");
    assertThat(found.skipped()).isEqualTo(7);
    assertThat(found.requests().get(1).line()).doesNotContainKey("secret");
    assertThat(found.requests().get(0).error()).as("an error is cut to its bound").hasSize(1001).endsWith("…");
  }

  @Test
  void onlyTheEndOfALargeLogIsReadAndARotatedOneGivesTheRest() throws IOException {
    Path log = bridgeLog("a");
    List<String> older = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      older.add(bridge(at(i), "old-" + i, "app", "llama3", 200, 40, null));
    }
    append(log.resolveSibling("a.jsonl.1"), older.toArray(String[]::new));
    append(log, bridge(at(100), "new-1", "app", "llama3", 200, 40, null), bridge(at(101), "new-2", "app", "llama3", 200, 40, null));

    List<String> tail = LogTail.last(log, 5, 1 << 20);
    List<String> bounded = LogTail.last(log.resolveSibling("a.jsonl.1"), 1000, 2000);

    assertThat(tail).hasSize(5).last().asString().contains("new-2");
    assertThat(tail.get(0)).contains("old-47");
    assertThat(bounded).as("only whole lines from the last 2000 bytes").isNotEmpty().hasSizeLessThan(50)
        .allMatch(line -> line.startsWith("{") && line.endsWith("}"));
    assertThat(bounded.get(bounded.size() - 1)).contains("old-49");
  }

  @Test
  void oneRequestsRecordHoldsItsBridgeLineAndNginxsLine() throws IOException {
    append(bridgeLog("a"), bridge(at(1), "req-7", "app", "llama3", 200, 40, null), bridge(at(2), "other", "app", "llama3", 200, 40, null));
    append(nginxLog(), nginx(at(1).plusMillis(3), "req-7", "/v1/chat/completions", 200, "llama3"));

    RequestLogs.Record record = logs().record("req-7");

    assertThat(record.bridge()).extracting(LoggedRequest::origin).containsExactly("a @ local");
    assertThat(record.nginx()).extracting(LoggedRequest::origin).containsExactly("nginx @ local");
    assertThat(record.nginx().get(0).line()).containsEntry("upstream", "127.0.0.1:3100");
    assertThat(logs().record("absent").bridge()).isEmpty();
  }

  @Test
  void aHostThatDoesNotAnswerIsReportedAndTheOthersAreShown() throws IOException {
    instances.add(instance("far", "gpu-1"));
    instances.add(instance("gone", "gpu-2"));
    edges.add("edge-1");
    remote.put("gpu-1/" + Request.REQUESTS + "/far", List.of(bridge(at(2), "far-1", "app", "llama3", 200, 40, null), "garbage"));
    remote.put("edge-1/" + Request.ACCESS + "/null", List.of(nginx(at(3), "far-1", "/api/chat", 200, "llama3")));
    append(bridgeLog("a"), bridge(at(1), "here-1", "app", "llama3", 200, 40, null));

    RequestLogs.Found found = logs().search(RequestQuery.all());

    assertThat(found.requests()).extracting(LoggedRequest::origin)
        .containsExactly("nginx @ edge-1", "far @ gpu-1", "a @ local");
    assertThat(found.skipped()).isEqualTo(1);
    assertThat(found.unanswered()).singleElement().satisfies(source -> {
      assertThat(source.host()).isEqualTo("gpu-2");
      assertThat(source.instance()).isEqualTo("gone");
      assertThat(source.error()).contains("did not answer");
    });
    assertThat(ids(logs().search(RequestQuery.parse(param("host", "gpu-1"))))).containsExactly("far-1");
  }

  @Test
  void anAgentsAnswerIsBoundedWhateverItHolds() {
    instances.add(instance("far", "gpu-1"));
    List<String> answer = new ArrayList<>();
    answer.add(null);
    for (int i = 0; i < 3000; i++) {
      answer.add(bridge(T0.plusMillis(i), "far-" + i, "app", "llama3", 200, 40, null));
    }
    remote.put("gpu-1/" + Request.REQUESTS + "/far", answer);

    RequestLogs.Found found = logs().search(RequestQuery.parse(param("limit", "1000")));

    assertThat(found.requests()).hasSize(RequestLogs.LINES_PER_LOG);
    assertThat(found.requests().get(0).id()).isEqualTo("far-2999");
    assertThat(found.unanswered()).isEmpty();
  }

  @Test
  void nginxsErrorLogIsReadForLocalAndRefusedForAHostWithoutNginx() throws IOException {
    Path errors = data.resolve("nginx/logs/error.log");
    append(errors, "2026/12/07 10:00:00 [warn] 1#1: an upstream response is buffered", "2026/12/07 10:00:01 [error] 1#1: connect() failed\u001b[31m");

    RequestLogs.ErrorLog log = logs().nginxErrors("local");

    assertThat(log.lines()).hasSize(2);
    assertThat(log.lines().get(1)).contains("connect() failed").doesNotContain("\u001b");
    assertThatThrownBy(() -> logs().nginxErrors("gpu-1")).isInstanceOf(InvalidInput.class).hasMessageContaining("edge host");
  }

  @Test
  void theQueryRefusesWhatBreaksItsRulesNamingTheParameter() {
    assertThatThrownBy(() -> RequestQuery.parse(param("status", "6xx"))).isInstanceOf(InvalidInput.class)
        .hasMessage("status must be one of 2xx, 3xx, 4xx, 5xx");
    assertThatThrownBy(() -> RequestQuery.parse(param("limit", "0"))).hasMessageContaining("limit must be");
    assertThatThrownBy(() -> RequestQuery.parse(param("limit", "1001"))).hasMessageContaining("limit must be");
    assertThatThrownBy(() -> RequestQuery.parse(param("after", "yesterday"))).hasMessageContaining("after must be");
    assertThatThrownBy(() -> RequestQuery.parse(param("instance", "../etc"))).hasMessageContaining("instance must be");
    assertThatThrownBy(() -> RequestQuery.parse(param("q", "a\nb"))).hasMessageContaining("q must be");
    assertThatThrownBy(() -> RequestQuery.parse(param("key", "k".repeat(201)))).hasMessageContaining("key must be");
  }

  private List<String> ids(RequestLogs.Found found) {
    return found.requests().stream().map(LoggedRequest::id).toList();
  }

  private RequestLogs.Found query(String name, String value) {
    return logs().search(RequestQuery.parse(param(name, value)));
  }

  private static UnaryOperator<String> param(String name, String value) {
    return asked -> asked.equals(name) ? value : null;
  }

  private Path bridgeLog(String instance) {
    return BridgeLaunch.requestLog(data, instance);
  }

  private Path nginxLog() {
    return data.resolve("nginx/logs/requests.jsonl");
  }

  private static void append(Path file, String... lines) throws IOException {
    Files.createDirectories(file.getParent());
    Files.writeString(file, String.join("\n", lines) + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
  }

  private static Instant at(int second) {
    return T0.plusSeconds(second);
  }

  static Instance instance(String name, String host) {
    return new Instance(1, name, host, "127.0.0.1", 3100, "http://127.0.0.1:11434", "auto", 1, "primary", 2, 30, false,
        null, false, null, List.of(), 0, true, true, true, List.of(), List.of(), List.of(), 0, 0, 30_000, 1, Instant.now(),
        Instant.now());
  }
}
