package dev.ollamabridge.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.ollamabridge.console.files.RealSupervisord;
import dev.ollamabridge.console.cache.RedisTarget;
import dev.ollamabridge.console.instances.BridgeLaunch;
import dev.ollamabridge.console.instances.Instance;
import dev.ollamabridge.console.instances.SelfCommand;
import dev.ollamabridge.console.jdk.FakeJdks;
import dev.ollamabridge.console.settings.Setting;
import dev.ollamabridge.testing.TestPorts;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every field of the API and every setting, sent every hostile value: each answer is either a 4xx
 * that names the field and changes nothing, or a stored value that stays inert in all three
 * generated files, as {@code nginx -t}, {@code promtool} and a real supervisord see them. What
 * supervisord starts is a java that records its argv and environment byte for byte (every program
 * of the file, in a second); one real bridge started the same way shows that its keys work.
 */
class HostileInputTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final OkHttpClient HTTP = new OkHttpClient.Builder().callTimeout(Duration.ofSeconds(30)).build();

  /** Appended to a valid value of each field, and sent alone. */
  private static final List<String> HOSTILE_TEXT = List.of(";", "}", "{", "#", "\"", "'", "$host", "`id`", "\\",
      "\n", "\u0000", "é\u202e", "A".repeat(5000), "../../", "/etc/passwd", " ; include /etc/shadow;", "%(here)s",
      "\r\nX-Injected: 1");
  /** Sent as JSON numbers. */
  private static final List<String> HOSTILE_NUMBERS = List.of("1e30", "18446744073709551621", "-1",
      "-9223372036854775809", "0.5");

  /** Each field of an instance with a valid value that hostile text is appended to. */
  private static final Map<String, String> INSTANCE_FIELDS = new LinkedHashMap<>();

  static {
    INSTANCE_FIELDS.put("name", "n");
    INSTANCE_FIELDS.put("host", "local");
    INSTANCE_FIELDS.put("listen_host", "h");
    INSTANCE_FIELDS.put("port", "3");
    INSTANCE_FIELDS.put("upstream_url", "http://backend.example/");
    INSTANCE_FIELDS.put("upstream_dialect", "auto");
    INSTANCE_FIELDS.put("weight", "2");
    INSTANCE_FIELDS.put("role", "backup");
    INSTANCE_FIELDS.put("max_fails", "2");
    INSTANCE_FIELDS.put("fail_timeout", "3");
    INSTANCE_FIELDS.put("cache_enabled", "true");
    INSTANCE_FIELDS.put("cache_dir", "c");
    INSTANCE_FIELDS.put("shared_mode", "false");
    INSTANCE_FIELDS.put("upstream_api_key", "k");
    INSTANCE_FIELDS.put("client_keys", "k");
    INSTANCE_FIELDS.put("rate_limit", "5");
    INSTANCE_FIELDS.put("think_filter", "true");
    INSTANCE_FIELDS.put("enabled", "false");
    INSTANCE_FIELDS.put("managed", "true");
    INSTANCE_FIELDS.put("allowed_origins", "https://app.example");
  }

  /** Fields that only make sense together: a refusal may name the partner that is missing. */
  private static final Map<String, String> PARTNERS = Map.of("shared_mode", "upstream_api_key",
      "nginx.tls_cert", "nginx.tls_key", "nginx.tls_key", "nginx.tls_cert");

  /** The variables supervisord gives every program besides those of its own environment. */
  private static final List<String> SUPERVISOR_VARIABLES = List.of("SUPERVISOR_ENABLED", "SUPERVISOR_PROCESS_NAME",
      "SUPERVISOR_GROUP_NAME", "SUPERVISOR_SERVER_URL");

  @TempDir Path data;
  @TempDir Path tools;

  @Test
  void everyFieldAndSettingRefusesOrDefusesEveryHostileValue() throws Exception {
    List<String> accepted = new ArrayList<>();
    Map<String, Map<String, String>> secretsByInstance = new LinkedHashMap<>();
    Path records = tools.resolve("launches");
    Path java = FakeJdks.recording(tools.resolve("jdk-17"), "17.0.9", records);
    ConsoleConfig config = TestConsoles.offline(data).withOperator(Setting.BRIDGE_JAVA, java.toString());
    try (ConsoleApp console = ConsoleApp.start(config)) {
      ConsoleClient api = new ConsoleClient(console.port(), console.adminToken());

      for (Map.Entry<String, String> field : INSTANCE_FIELDS.entrySet()) {
        for (String value : values(field.getValue())) {
          String json = field.getKey().endsWith("s") && !field.getKey().equals("max_fails") ? "[" + value + "]" : value;
          // every instance is managed but disabled: in supervisor.conf, never started by the console
          String body = "{\"enabled\":false,\"managed\":true,"
              + (field.getKey().equals("upstream_api_key") ? "\"shared_mode\":true," : "")
              + "\"" + field.getKey() + "\":" + json + "}";
          ConsoleClient.Answer answer = send(api, "POST", "/instances", body, field.getKey(), accepted);
          if (answer.status() == 201 && field.getKey().contains("key")) {
            String sent = JSON.readTree(value).asText();
            secretsByInstance.put(answer.body().path("name").asText(), Map.of(
                field.getKey().equals("client_keys") ? "BRIDGE_CLIENT_KEYS" : "BRIDGE_API_KEY", sent));
          }
        }
        send(api, "POST", "/instances", "{\"" + field.getKey() + "\":1,\"" + field.getKey() + "\":2}", field.getKey(), null);
      }
      for (Setting setting : Setting.values()) {
        for (String value : values(setting.defaultValue().isEmpty() ? "/x" : setting.defaultValue())) {
          send(api, "PATCH", "/settings", "{\"" + setting.key() + "\":" + value + "}", setting.key(),
              setting.operator() ? null : accepted);
        }
      }

      // programs that supervisord counts as running at once, so the check need not wait for bridges
      assertThat(api.patch("/settings", "{\"supervise.startsecs\":0}").status()).isEqualTo(200);
      System.out.println("hostile values stored (each must render inert): " + accepted.size() + "\n  " + String.join("\n  ", accepted));
      checkNginx(text(api, "/nginx/config"));
      checkPrometheus(text(api, "/exports/prometheus.yml"));
      assertThat(secretsByInstance).as("some hostile keys are fine as keys").isNotEmpty();
      checkSupervisord(text(api, "/exports/supervisor.conf?secrets=clear"), console.instances().list().stream().filter(Instance::managed).toList(), java, records,
          secretsByInstance);
    }
  }

  @Test
  void aRealBridgeThatSupervisordStartsFromTheExportWorksWithItsHostileKeys() throws Exception {
    String upstreamKey = "u$host`id`\\;}{#'x";
    String clientKey = "c;}{#$remote_addr`id`\\'z";
    int port = TestPorts.listenPort();
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    String conf;
    Instance instance;
    try (ConsoleApp console = ConsoleApp.start(TestConsoles.offline(data).withOperator(Setting.BRIDGE_JAVA, java.toString()))) {
      ConsoleClient api = new ConsoleClient(console.port(), console.adminToken());
      ConsoleClient.Answer created = api.post("/instances", "{\"name\":\"real\",\"managed\":true,\"enabled\":false,"
          + "\"port\":" + port + ",\"shared_mode\":true,\"upstream_api_key\":" + quote(upstreamKey)
          + ",\"client_keys\":[" + quote(clientKey) + "]}");
      assertThat(created.status()).as(String.valueOf(created.body())).isEqualTo(201);
      conf = text(api, "/exports/supervisor.conf?secrets=clear");
      instance = console.instances().list().get(0);
    }

    try (RealSupervisord supervisord = startSupervisord(conf)) {
      String started = supervisord.ctl("start", "ollama-bridges:ollama-bridge-real");
      Long pid = supervisord.runningPids(List.of("ollama-bridges:ollama-bridge-real")).get("ollama-bridges:ollama-bridge-real");
      assertThat(pid).as(started + supervisord.status()).isNotNull();

      // what the kernel handed the bridge's JVM
      assertThat(FakeJdks.nulSeparated(Files.readAllBytes(Path.of("/proc/" + pid + "/cmdline"))))
          .isEqualTo(expectedArgv(java, instance));
      Map<String, String> environment = RealSupervisord.environmentOf(pid);
      assertThat(environment.get("BRIDGE_API_KEY")).isEqualTo(upstreamKey);
      assertThat(environment.get("BRIDGE_CLIENT_KEYS")).isEqualTo(clientKey);

      // and the bridge takes the client key as it was given, and nothing else
      String health = "http://127.0.0.1:" + port + "/api/version";
      await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> status(health, null) > 0);
      assertThat(status(health, "Bearer " + clientKey + "x")).isEqualTo(401);
      assertThat(status(health, "Bearer " + clientKey)).isNotEqualTo(401);
    }
  }

  @Test
  void everyQueryAndPathParameterRefusesHostileValues() throws Exception {
    try (ConsoleApp console = TestConsoles.start(data)) {
      ConsoleClient api = new ConsoleClient(console.port(), console.adminToken());
      long id = api.post("/instances", "{\"name\":\"one\",\"managed\":true,\"enabled\":false}").body().path("id").asLong();
      Map<String, String> targets = new LinkedHashMap<>();
      targets.put("limit", "/events?limit=");
      targets.put("tail", "/instances/" + id + "/logs?tail=");
      targets.put("version", "/instances/" + id + "?version=");
      targets.put("id", "/instances/");
      targets.put("secrets", "/exports/supervisor.conf?secrets=");
      List<String> hostile = new ArrayList<>(HOSTILE_TEXT);
      HOSTILE_NUMBERS.forEach(hostile::add);
      for (Map.Entry<String, String> target : targets.entrySet()) {
        for (String value : hostile) {
          String path = target.getValue() + java.net.URLEncoder.encode(value, StandardCharsets.UTF_8);
          ConsoleClient.Answer answer = target.getKey().equals("version") ? api.delete(path) : api.get(path);
          String what = path.substring(0, Math.min(path.length(), 120)) + " -> " + answer.status() + " " + answer.body();
          assertThat(answer.error()).as(what).isNotBlank();
          if (target.getKey().equals("id") && value.equals("\u0000")) {
            // a path that Jetty refuses before any route sees it cannot name a field; it says so
            assertThat(answer.status()).as(what).isEqualTo(400);
            assertThat(answer.error()).as(what).contains("the request is malformed");
          } else if (target.getKey().equals("id") && value.matches("-?[0-9]+") && answer.status() == 404) {
            assertThat(answer.error()).as(what).isEqualTo("no instance has id " + value); // a number, of none
          } else if (target.getKey().equals("version") && value.matches("-?[0-9]+") && answer.status() == 409) {
            assertThat(answer.field()).as(what).isEqualTo("version"); // a number, not the instance's
          } else {
            assertThat(answer.status()).as(what).isEqualTo(400);
            assertThat(answer.field()).as(what).isEqualTo(target.getKey());
            assertThat(answer.error()).as("the message names the parameter: " + what).contains(target.getKey());
          }
        }
      }
      assertThat(api.get("/instances/" + id).status()).as("the instance is still there").isEqualTo(200);
    }
  }

  /** Sends one change; a refusal must name the field and leave everything as it was. */
  private static ConsoleClient.Answer send(ConsoleClient api, String method, String path, String body, String field,
      List<String> accepted) {
    JsonNode instancesBefore = api.get("/instances").body();
    JsonNode settingsBefore = api.get("/settings").body();
    ConsoleClient.Answer answer = method.equals("POST") ? api.post(path, body) : api.patch(path, body);
    String what = method + " " + path + " " + abbreviate(body) + " -> " + answer.status() + " " + answer.body();
    if (answer.status() >= 400) {
      assertThat(answer.status()).as(what).isBetween(400, 499);
      assertThat(answer.field()).as(what).isIn(field, PARTNERS.getOrDefault(field, field));
      assertThat(answer.error()).as(what).isNotBlank();
      assertThat(api.get("/instances").body()).as(what).isEqualTo(instancesBefore);
      assertThat(api.get("/settings").body()).as(what).isEqualTo(settingsBefore);
    } else {
      assertThat(accepted).as("an operator setting or a duplicate key was accepted: " + what).isNotNull();
      assertThat(answer.status()).as(what).isIn(200, 201);
      accepted.add(abbreviate(body));
    }
    return answer;
  }

  /** The hostile values for a field whose valid value is {@code valid}, as JSON. */
  private static List<String> values(String valid) {
    List<String> values = new ArrayList<>();
    for (String hostile : HOSTILE_TEXT) {
      values.add(quote(valid + hostile));
      values.add(quote(hostile));
    }
    values.addAll(HOSTILE_NUMBERS);
    return values;
  }

  private void checkNginx(String config) throws Exception {
    Path prefix = tools.resolve("nginx");
    for (String dir : List.of("conf", "logs", "temp")) {
      Files.createDirectories(prefix.resolve(dir));
    }
    // the prefix the console renders lies in its data directory; this copy is tested in its own
    Path file = prefix.resolve("conf/nginx.conf");
    Files.writeString(file, config.replace(data.resolve("nginx").toString(), prefix.toString()));
    Outcome test = run(List.of("nginx", "-t", "-p", prefix + "/", "-c", file.toString()));
    assertThat(test.code()).as(test.output()).isZero();
  }

  private void checkPrometheus(String yml) throws Exception {
    Path file = Files.writeString(tools.resolve("prometheus.yml"), yml);
    Outcome check = run(List.of("promtool", "check", "config", file.toString()));
    assertThat(check.code()).as(check.output()).isZero();
  }

  /**
   * Runs supervisord on the file with its secrets in clear and starts every program in it, on a
   * java that records what it was given: each got exactly the argv the console means, word for word,
   * and exactly supervisord's environment plus the keys stored for it, byte for byte.
   */
  private void checkSupervisord(String conf, List<Instance> instances, Path java, Path records,
      Map<String, Map<String, String>> secretsByInstance) throws Exception {
    try (RealSupervisord supervisord = startSupervisord(conf)) {
      String started = supervisord.ctl("start", "ollama-bridges:*");
      for (Instance instance : instances) {
        String program = "ollama-bridge-" + instance.name();
        List<String> argv = await().atMost(Duration.ofSeconds(60))
            .until(() -> FakeJdks.recordedArgv(records, program), Optional::isPresent)
            .orElseThrow(() -> new AssertionError(program + " did not start: " + started));
        assertThat(argv).as(program).isEqualTo(expectedArgv(java, instance));

        Map<String, String> expected = new HashMap<>(System.getenv());
        expected.putAll(secretsByInstance.getOrDefault(instance.name(), Map.of()));
        Map<String, String> environment = FakeJdks.recordedEnvironment(records, program);
        assertThat(environment.get("SUPERVISOR_PROCESS_NAME")).as(program).isEqualTo(program);
        assertThat(environment).as(program).containsKeys(SUPERVISOR_VARIABLES.toArray(String[]::new));
        SUPERVISOR_VARIABLES.forEach(environment::remove);
        assertThat(environment).as(program + ": supervisord's environment and the stored keys, and no variable more")
            .isEqualTo(expected);
      }
      System.out.println("supervisord started " + instances.size() + " programs with hostile values; each got its argv and "
          + secretsByInstance.size() + " of them their keys, byte for byte");
    }
  }

  /** supervisord, answering its control socket, with its pid file where the test's cleanup finds it. */
  private RealSupervisord startSupervisord(String conf) throws Exception {
    RealSupervisord supervisord = RealSupervisord.start(tools.resolve("run"), conf, Map.of());
    await().atMost(Duration.ofSeconds(30)).until(() -> supervisord.answers() || !supervisord.process().isAlive());
    assertThat(supervisord.process().isAlive()).as("supervisord read the file: " + supervisord.output()).isTrue();
    return supervisord;
  }

  /** The command line the console means for an instance: its java with the bridges' flags, this program, the flags. */
  private List<String> expectedArgv(Path java, Instance instance) {
    return SelfCommand.current().onJava(java.toString()).command(BridgeLaunch.JVM_FLAGS, BridgeLaunch.arguments(instance, RedisTarget.OFF, data));
  }

  private static int status(String url, String authorization) throws IOException {
    Request.Builder request = new Request.Builder().url(url);
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    try (Response response = HTTP.newCall(request.build()).execute()) {
      return response.code();
    }
  }


  private static String text(ConsoleClient api, String path) {
    ConsoleClient.Text answer = api.text(path);
    assertThat(answer.status()).as(path + ": " + answer.body()).isEqualTo(200);
    return answer.body();
  }

  private static String quote(String text) {
    return JsonNodeFactory.instance.textNode(text).toString();
  }

  private static String abbreviate(String text) {
    return text.length() > 120 ? text.substring(0, 120) + "…(" + text.length() + " chars)" : text;
  }

  private record Outcome(int code, String output) {}

  private static Outcome run(List<String> command) throws IOException, InterruptedException {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    return new Outcome(process.waitFor(), output);
  }
}
