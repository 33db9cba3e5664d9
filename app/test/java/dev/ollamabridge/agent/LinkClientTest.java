package dev.ollamabridge.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import dev.ollamabridge.cli.Version;
import dev.ollamabridge.console.instances.SelfCommand;
import dev.ollamabridge.console.jdk.Jdk;
import dev.ollamabridge.console.supervise.SupervisePolicy;
import dev.ollamabridge.console.supervise.Supervisor;
import dev.ollamabridge.link.BridgeSpec;
import dev.ollamabridge.link.Desired;
import dev.ollamabridge.link.LinkPaths;
import dev.ollamabridge.link.Report;
import dev.ollamabridge.link.Request;
import dev.ollamabridge.testing.TestPorts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The agent's link against a real WebSocket server playing the console (plain ws; TLS is the client's
 * and is tested with the PKI): desired states applied and reported, requests answered, refusals logged
 * in one line with the console's reason and retried, and a console that goes away dialled again.
 */
class LinkClientTest {

  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final Backoff QUICK = new Backoff(Duration.ofMillis(50), Duration.ofMillis(300));

  @TempDir Path data;

  private final OkHttpClient http = new OkHttpClient();
  private final ListAppender<ILoggingEvent> logged = new ListAppender<>();
  private final Logger linkLogger = (Logger) LoggerFactory.getLogger(LinkClient.class);
  private Supervisor supervisor;
  private TestConsoleLink console;
  private LinkClient client;

  @BeforeEach
  void start() {
    logged.start();
    linkLogger.addAppender(logged);
    supervisor = new Supervisor(data.resolve("run"), data.resolve("logs"), SupervisePolicy.defaults(), http);
    console = TestConsoleLink.start(TestPorts.listenPort());
  }

  @AfterEach
  void stop() {
    linkLogger.detachAppender(logged);
    if (client != null) {
      client.close();
    }
    console.close();
    supervisor.close();
  }

  @Test
  void aDesiredStateIsAppliedAndReportedAtOnce() {
    client = dial();
    await().atMost(WAIT).until(() -> console.connects.get() == 1);
    assertThat(console.versions).containsExactly(Version.current());
    assertThat(console.extensions).as("no compression, which would let a frame inflate unseen").containsExactly("null");

    console.send(new Desired("gpu-1", 3, List.of(new BridgeSpec("chat", List.of("-l", "127.0.0.1:3100"), Map.of(),
        "127.0.0.1", 3100, false, false))));

    JsonNode report = await().atMost(WAIT).until(() -> lastReport(), r -> r != null && r.path("applied").asLong() == 3);
    assertThat(report.path("applyError").isNull()).isTrue();
    assertThat(report.path("programs").get(0).path("name").asText()).isEqualTo("chat");
    assertThat(report.path("programs").get(0).path("state").asText()).isEqualTo("STOPPED");
    assertThat(report.path("facts").path("version").asText()).isEqualTo(Version.current());
    assertThat(report.path("facts").path("cores").asInt()).isPositive();
  }

  @Test
  void aDocumentForAnotherHostIsReportedRefused() {
    client = dial();
    await().atMost(WAIT).until(() -> console.connects.get() == 1);

    console.send(new Desired("gpu-2", 4, List.of()));

    JsonNode report = await().atMost(WAIT).until(() -> lastReport(), r -> r != null && !r.path("applyError").isNull());
    assertThat(report.path("applied").asLong()).isZero();
    assertThat(report.path("applyError").asText()).contains("revision 4 refused").contains("gpu-2");
  }

  @Test
  void aTailRequestIsAnsweredWithTheLastLinesOfTheLog() throws Exception {
    Files.write(data.resolve("logs").resolve("chat.log"), List.of("one", "two", "three"));
    client = dial();
    await().atMost(WAIT).until(() -> console.connects.get() == 1);

    console.send(new Request("r-1", Request.TAIL, "chat", 2));

    JsonNode reply = await().atMost(WAIT).until(() -> console.received("reply").stream().findFirst().orElse(null),
        r -> r != null);
    assertThat(reply.path("id").asText()).isEqualTo("r-1");
    assertThat(reply.path("lines")).extracting(JsonNode::asText).containsExactly("two", "three");
  }

  @Test
  void aRequestThatCannotBeAnsweredGetsAnErrorReply() {
    client = dial();
    await().atMost(WAIT).until(() -> console.connects.get() == 1);

    console.send(new Request("r-3", Request.TAIL, "../../etc/passwd", 10));
    console.send(new Request("r-4", "shell", null, 0));

    await().atMost(WAIT).until(() -> console.received("reply").size() == 2);
    assertThat(console.received("reply")).extracting(reply -> reply.path("id").asText() + ": " + reply.path("error").asText())
        .containsExactly("r-3: program name '../../etc/passwd' must be 1-64 letters, digits, '.', '_' or '-', starting"
            + " with a letter or digit", "r-4: what must be tail, supervisor.conf, requests, access, nginx-errors");
  }

  @Test
  void aBridgesRequestLogIsAnsweredForABridgeThisHostRunsOnlyWithLongLinesShortenedToWholeObjects() throws Exception {
    Path log = Files.createDirectories(data.resolve("logs/requests")).resolve("chat.jsonl");
    String body = "x".repeat(100_000);
    Files.write(log, List.of("{\"id\":\"one\"}", "{\"id\":\"two\"}",
        "{\"id\":\"three\",\"request_body\":\"" + body + "\",\"response_body\":\"" + body + "\"}"));
    Files.write(data.resolve("logs/requests/other.jsonl"), List.of("{\"id\":\"secret\"}"));
    client = dial();
    await().atMost(WAIT).until(() -> console.connects.get() == 1);
    console.send(new Desired("gpu-1", 1, List.of(new BridgeSpec("chat", List.of("-l", "127.0.0.1:3100"), Map.of(),
        "127.0.0.1", 3100, false, false))));
    await().atMost(WAIT).until(() -> lastReport(), r -> r != null && r.path("applied").asLong() == 1);

    console.send(new Request("r-1", Request.REQUESTS, "chat", 2));
    console.send(new Request("r-2", Request.REQUESTS, "other", 10));
    console.send(new Request("r-3", Request.REQUESTS, "../logs/requests/chat", 10));

    await().atMost(WAIT).until(() -> console.received("reply").size() == 3);
    List<JsonNode> replies = console.received("reply");
    assertThat(replies.get(0).path("lines")).hasSize(2);
    assertThat(replies.get(0).path("lines").get(0).asText()).isEqualTo("{\"id\":\"two\"}");
    String shortened = replies.get(0).path("lines").get(1).asText();
    assertThat(shortened.length()).isLessThanOrEqualTo(RequestAnswers.MAX_LOG_LINE_CHARS);
    JsonNode line = dev.ollamabridge.bridge.translate.Json.MAPPER.readTree(shortened);
    assertThat(line.path("id").asText()).isEqualTo("three");
    assertThat(line.path("request_body").asText()).startsWith("xxxx").endsWith("…[cut]");
    assertThat(replies.get(1).path("error").asText()).isEqualTo("this host runs no bridge named 'other'");
    assertThat(replies.get(1).has("lines") && !replies.get(1).path("lines").isNull()).isFalse();
    assertThat(replies.get(2).path("error").asText()).startsWith("this host runs no bridge named");
  }

  @Test
  void theEdgesAccessAndErrorLogsAreAnsweredFromTheirEnds() throws Exception {
    Path logs = Files.createDirectories(data.resolve("nginx/logs"));
    Files.write(logs.resolve("requests.jsonl"), List.of("{\"id\":\"a\"}", "{\"id\":\"b\"}", "{\"id\":\"c\"}"));
    Files.write(logs.resolve("error.log"), List.of("2026/12/07 10:00:00 [warn] 1#1: first", "2026/12/07 10:00:01 [error] 1#1: "
        + "y".repeat(5000)));
    client = dial();
    await().atMost(WAIT).until(() -> console.connects.get() == 1);

    console.send(new Request("r-1", Request.ACCESS, null, 2));
    console.send(new Request("r-2", Request.NGINX_ERRORS, null, 5000));

    await().atMost(WAIT).until(() -> console.received("reply").size() == 2);
    List<JsonNode> replies = console.received("reply");
    assertThat(replies.get(0).path("lines")).extracting(JsonNode::asText).containsExactly("{\"id\":\"b\"}", "{\"id\":\"c\"}");
    assertThat(replies.get(1).path("lines")).hasSize(2);
    assertThat(replies.get(1).path("lines").get(0).asText()).endsWith("first");
    assertThat(replies.get(1).path("lines").get(1).asText()).hasSizeLessThan(2100).endsWith("…[cut]");
  }

  @Test
  void supervisorConfIsAnsweredWithThisHostsPaths() {
    client = dial();
    await().atMost(WAIT).until(() -> console.connects.get() == 1);
    console.send(new Desired("gpu-1", 1, List.of(new BridgeSpec("chat", List.of("-l", "127.0.0.1:3100"),
        Map.of("BRIDGE_API_KEY", "sk-secret"), "127.0.0.1", 3100, true, false))));
    await().atMost(WAIT).until(() -> lastReport(), r -> r != null && r.path("applied").asLong() == 1);

    console.send(new Request("r-2", Request.SUPERVISOR_CONF, null, 0));

    JsonNode reply = await().atMost(WAIT).until(() -> console.received("reply").stream().findFirst().orElse(null),
        r -> r != null);
    assertThat(reply.path("text").asText()).contains("[program:ollama-bridge-chat]")
        .contains("directory=" + data.toAbsolutePath().normalize())
        .contains("--cache-dir " + data.toAbsolutePath().normalize().resolve("cache").resolve("chat"))
        .contains("autostart=false")
        .doesNotContain("sk-secret");
  }

  @Test
  void framesThatDoNotParseOrAreTooLargeAreDroppedWithOneWarning() {
    client = dial();
    await().atMost(WAIT).until(() -> console.connects.get() == 1);

    console.sendText("{\"type\": \"desired\", \"host\": \"gpu-1\", \"revision\": 2, \"bridges\": [{\"name\": 5");
    console.sendText("{\"type\":\"request\",\"id\":\"" + "x".repeat(LinkPaths.MAX_FRAME_BYTES) + "\"}");
    console.send(new Desired("gpu-1", 5, List.of()));

    await().atMost(WAIT).until(() -> lastReport(), r -> r != null && r.path("applied").asLong() == 5);
    assertThat(warnings()).hasSize(2)
        .anySatisfy(line -> assertThat(line).startsWith("dropped a frame from the console that does not parse"))
        .anySatisfy(line -> assertThat(line).startsWith("dropped a frame from the console of more than"));
    assertThat(client.linked()).as("the link stays up").isTrue();
  }

  @Test
  void aRefusedUpgradeIsOneLineWithTheConsolesReasonAndIsTriedAgain() {
    console.refuseUpgradeWith = "host gpu-1 is revoked";

    client = dial();

    await().atMost(WAIT).until(() -> console.upgrades.get() >= 3);
    List<ILoggingEvent> refusals = logged.list.stream()
        .filter(event -> event.getFormattedMessage().startsWith("the console refused this agent")).toList();
    assertThat(refusals).hasSizeGreaterThanOrEqualTo(2).allSatisfy(event -> {
      assertThat(event.getFormattedMessage()).contains("host gpu-1 is revoked (HTTP 403)").doesNotContain("\n");
      assertThat(event.getThrowableProxy()).isNull();
    });
    assertThat(console.connects.get()).isZero();

    console.refuseUpgradeWith = null;
    await().atMost(WAIT).until(() -> client.linked());
  }

  @Test
  void aLinkClosedAsRefusedIsLoggedWithTheReasonAndTriedAgain() {
    client = dial();
    await().atMost(WAIT).until(() -> console.connects.get() == 1);

    console.closeLink(LinkPaths.REFUSED, "agent 9.9 is not console 1.0's minor version");

    await().atMost(WAIT).until(() -> console.connects.get() == 2);
    assertThat(warnings()).anySatisfy(line -> assertThat(line)
        .startsWith("the console refused this agent: agent 9.9 is not console 1.0's minor version;"));
  }

  @Test
  void aConsoleThatGoesAwayIsDialledAgainWhenItIsBack() {
    client = dial();
    await().atMost(WAIT).until(() -> client.linked());
    int port = console.port();

    console.close();
    await().atMost(WAIT).until(() -> !client.linked());
    console = TestConsoleLink.start(port);

    await().atMost(WAIT).until(() -> client.linked() && console.connects.get() == 1);
    await().atMost(WAIT).until(() -> !console.received("report").isEmpty());
  }

  private LinkClient dial() {
    Reconciler reconciler = new Reconciler(supervisor, data, SelfCommand.current(), "gpu-1", new EdgeNginx(null, data, supervisor, http));
    MachineFacts facts = new MachineFacts("198.18.0.11", Jdk.running(), data);
    RequestAnswers answers = new RequestAnswers(supervisor, reconciler,
        new HostSupervisorConf(reconciler.bridgePrograms(), SupervisePolicy.defaults()));
    LinkClient link = new LinkClient(http, console.url(), reconciler, answers::answer,
        () -> new Report(reconciler.appliedRevision(), reconciler.applyError(), facts.now(), reconciler.programs()),
        QUICK, Duration.ofSeconds(LinkPaths.REPORT_SECONDS));
    link.start();
    return link;
  }

  private JsonNode lastReport() {
    List<JsonNode> reports = console.received("report");
    return reports.isEmpty() ? null : reports.get(reports.size() - 1);
  }

  private List<String> warnings() {
    return logged.list.stream().filter(event -> event.getLevel() == Level.WARN)
        .map(ILoggingEvent::getFormattedMessage).toList();
  }
}
