package dev.ollamabridge.console.files;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ollamabridge.cli.HostPort;
import dev.ollamabridge.console.cache.RedisTarget;
import dev.ollamabridge.console.instances.BridgeLaunch;
import dev.ollamabridge.console.instances.Instance;
import dev.ollamabridge.console.models.ModelRepository;
import dev.ollamabridge.console.nginx.NginxBinary;
import dev.ollamabridge.console.nginx.NjsRouting;
import dev.ollamabridge.console.settings.Setting;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The generated files, checked by the real tools: {@code nginx -t} and {@code promtool check config}. */
class GeneratedFilesTest {

  @TempDir static Path tls;
  @TempDir Path data;
  private final GeneratedFiles files = new GeneratedFiles();

  @BeforeAll
  static void makeCertificate() throws Exception {
    Outcome made = run(List.of("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
        "-subj", "/CN=localhost", "-keyout", tls.resolve("key.pem").toString(), "-out", tls.resolve("cert.pem").toString()));
    assertThat(made.code()).as(made.output()).isZero();
  }

  @ParameterizedTest(name = "{0}, backups {1}, TLS {2}")
  @CsvSource({
      "least_conn, true, false", "least_conn, false, true", "round_robin, true, true", "round_robin, false, false",
      "ip_hash, false, false", "ip_hash, false, true", "hash, false, false", "hash, false, true"})
  void nginxAcceptsTheConfigForEveryBalancingMethod(String balance, boolean backups, boolean withTls) throws Exception {
    Map<Setting, String> settings = settings(balance);
    if (withTls) {
      settings.put(Setting.NGINX_TLS_CERT, tls.resolve("cert.pem").toString());
      settings.put(Setting.NGINX_TLS_KEY, tls.resolve("key.pem").toString());
    }
    List<Instance> instances = List.of(instance(1, "one", 3000, "primary", true), instance(2, "two", 3001, "primary", true),
        instance(3, "three", 3002, backups ? "backup" : "primary", true), instance(4, "off", 3003, "primary", false));

    String config = files.nginx(snapshot(instances, settings, Set.of(1L, 3L), Set.of(2L)), true);

    assertThat(nginxTest(config)).satisfies(test -> assertThat(test.code()).as(test.output()).isZero());
    assertThat(config).contains("upstream bridge_cluster {", "keepalive 32;", "proxy_http_version 1.1;",
        "proxy_set_header Connection \"\";", "proxy_buffering off;", "proxy_read_timeout 300s;",
        "proxy_next_upstream error timeout http_502 http_503 http_504", "proxy_next_upstream_tries 3;",
        "limit_req_zone", "gzip_types application/json;");
    assertThat(config).contains("server 127.0.0.1:3000 weight=1 max_fails=2 fail_timeout=30s; # one");
    assertThat(config).contains("server 127.0.0.1:3001 weight=1 max_fails=2 fail_timeout=30s down; # two: down, draining");
    assertThat(config).contains("127.0.0.1:3003 weight=1 max_fails=2 fail_timeout=30s down; # off: down, disabled");
    if (backups) {
      assertThat(config).contains("127.0.0.1:3002 weight=1 max_fails=2 fail_timeout=30s backup; # three");
    }
    if (withTls) {
      assertThat(config).contains("listen 127.0.0.1:8443 ssl http2;");
    }
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({"least_conn", "round_robin", "ip_hash", "hash"})
  void routingByModelRendersAConfigNginxWithNjsAccepts(String balance) throws Exception {
    Path prefix = data.resolve("nginx");
    Snapshot.Njs njs = NjsRouting.forWholeConfig(NginxBinary.find(), prefix).orElseThrow(
        () -> new AssertionError("these tests need nginx's njs module: apt-get install libnginx-mod-http-js"));
    NjsRouting.writeScript(prefix);
    Instance limited = new Instance(3, "limited", "local", "127.0.0.1", 3002, "http://x", "auto", 1, "primary", 2, 30, false, null,
        false, null, List.of(), 0, true, true, true, List.of(), List.of("pinned:7b"), List.of("smart=deepseek-r1:14b"),
        4, 1, 30_000, 1, Instant.now(), Instant.now());
    List<Instance> instances = List.of(instance(1, "one", 3000, "primary", true), instance(2, "two", 3001, "primary", true),
        limited);
    Instant seen = Instant.now();
    Map<Long, List<ModelRepository.Seen>> discovered = Map.of(
        1L, List.of(new ModelRepository.Seen("llama3:latest", seen), new ModelRepository.Seen("shared", seen)),
        2L, List.of(new ModelRepository.Seen("shared", seen), new ModelRepository.Seen("org/Model-X", seen)),
        3L, List.of(new ModelRepository.Seen("not-pinned", seen)));

    String config = files.nginx(new Snapshot(instances, settings(balance), Set.of(1L, 2L, 3L), Set.of(), data,
        List.of("/usr/bin/java"), discovered, njs), true);

    assertThat(nginxTest(config)).satisfies(test -> assertThat(test.code()).as(test.output()).isZero());
    assertThat(config).contains("load_module " + njs.loadModule() + ";", "js_import router from " + prefix.resolve("router.js") + ";",
        "\"llama3:latest\" \"@group_1\";", "\"llama3\" \"@group_1\";", "\"org/model-x\" \"@group_2\";",
        "\"org/model-x:latest\" \"@group_2\";", "\"pinned:7b\" \"@group_3\";", "\"shared\" \"@group_4\";",
        "\"smart\" \"@group_3\";", "# group_3: pinned:7b, smart", "location @group_4 {", "proxy_pass http://group_4;", "location @cluster {",
        "server 127.0.0.1:3002 weight=1 max_fails=2 fail_timeout=30s max_conns=5; # limited",
        "\"0\" \"llama3:latest org/Model-X pinned:7b shared smart\";");
    assertThat(config).as("a pinned list replaces the discovered one").doesNotContain("not-pinned");
    String shared = config.substring(config.indexOf("upstream group_4 {"));
    assertThat(shared.substring(0, shared.indexOf('}'))).contains("# one", "# two").doesNotContain("# limited");
  }

  @Test
  void namesThatDifferOnlyInCaseOrByLatestAreOneModelOfEveryInstanceListingThem() throws Exception {
    Path prefix = data.resolve("nginx");
    Snapshot.Njs njs = NjsRouting.forWholeConfig(NginxBinary.find(), prefix).orElseThrow();
    NjsRouting.writeScript(prefix);
    Instant seen = Instant.now();
    // the second backend lists the first's model in capitals, which sort first
    Map<Long, List<ModelRepository.Seen>> discovered = Map.of(
        1L, List.of(new ModelRepository.Seen("llama3", seen)),
        2L, List.of(new ModelRepository.Seen("LLAMA3", seen), new ModelRepository.Seen("Qwen:latest", seen)),
        3L, List.of(new ModelRepository.Seen("qwen", seen)));
    List<Instance> instances = List.of(instance(1, "honest", 3000, "primary", true), instance(2, "loud", 3001, "primary", true),
        instance(3, "third", 3002, "primary", true));

    String config = files.nginx(new Snapshot(instances, settings("least_conn"), Set.of(1L, 2L, 3L), Set.of(), data,
        List.of("/usr/bin/java"), discovered, njs), true);

    assertThat(nginxTest(config)).satisfies(test -> assertThat(test.code()).as(test.output()).isZero());
    assertThat(config).contains("\"llama3\" \"@group_1\";", "\"llama3:latest\" \"@group_1\";", "\"qwen\" \"@group_2\";",
        "\"qwen:latest\" \"@group_2\";", "\"0\" \"LLAMA3 Qwen:latest llama3 qwen\";")
        .doesNotContain("\"LLAMA3\" \"@", "@group_3");
    String llama = config.substring(config.indexOf("upstream group_1 {"));
    assertThat(llama.substring(0, llama.indexOf('}'))).contains("# honest", "# loud").doesNotContain("# third");
    String qwen = config.substring(config.indexOf("upstream group_2 {"));
    assertThat(qwen.substring(0, qwen.indexOf('}'))).contains("# loud", "# third").doesNotContain("# honest");
  }

  @Test
  void fiveHundredModelsOfLongNamesOnThreeInstancesRenderAConfigNginxAccepts() throws Exception {
    Path prefix = data.resolve("nginx");
    Snapshot.Njs njs = NjsRouting.forWholeConfig(NginxBinary.find(), prefix).orElseThrow();
    NjsRouting.writeScript(prefix);
    Map<Long, List<ModelRepository.Seen>> discovered = new java.util.HashMap<>();
    for (long id = 1; id <= 3; id++) {
      List<ModelRepository.Seen> names = new ArrayList<>();
      for (int i = 0; i < 500; i++) {
        String name = "org-" + id + "/model-" + i + (i % 5 == 0 ? "-" + "l".repeat(180) : "");
        names.add(new ModelRepository.Seen(name.substring(0, Math.min(200, name.length())), Instant.now()));
      }
      discovered.put(id, names);
    }
    List<Instance> instances = List.of(instance(1, "one", 3000, "primary", true), instance(2, "two", 3001, "primary", true),
        instance(3, "three", 3002, "primary", true));

    String config = files.nginx(new Snapshot(instances, settings("least_conn"), Set.of(1L, 2L, 3L), Set.of(), data,
        List.of("/usr/bin/java"), discovered, njs), true);

    Outcome test = nginxTest(config);
    assertThat(test.code()).as(test.output()).isZero();
    assertThat(test.output()).as("no hash is built short of room").doesNotContain("could not build", "increase");
    assertThat(config.lines().mapToInt(String::length).max().orElseThrow()).as("every line fits nginx's 4 KiB buffer")
        .isLessThan(3500);
  }

  @Test
  void withoutNjsTheSameModelsRenderAModelAgnosticConfigNginxAccepts() throws Exception {
    Map<Long, List<ModelRepository.Seen>> discovered = Map.of(1L, List.of(new ModelRepository.Seen("llama3", Instant.now())));

    String config = files.nginx(new Snapshot(List.of(instance(1, "one", 3000, "primary", true)), settings("least_conn"),
        Set.of(1L), Set.of(), data, List.of("/usr/bin/java"), discovered, null), true);

    assertThat(nginxTest(config)).satisfies(test -> assertThat(test.code()).as(test.output()).isZero());
    assertThat(config).doesNotContain("js_import", "load_module", "map $ob_model").contains("location / {");
  }

  @Test
  void nginxAcceptsTheUpstreamOfAClusterOfThreeHundredBridges() throws Exception {
    List<Instance> many = new java.util.ArrayList<>();
    for (int i = 1; i <= 300; i++) {
      many.add(instance(i, "bridge-" + i, 20000 + i, "primary", true));
    }

    String config = files.nginx(snapshot(many, settings("least_conn"), Set.of(), Set.of()), true);

    assertThat(nginxTest(config)).satisfies(test -> assertThat(test.code()).as(test.output()).isZero());
  }

  @Test
  void anEmptyDatabaseStillRendersAConfigNginxAccepts() throws Exception {
    String config = files.nginx(snapshot(List.of(), settings("least_conn"), Set.of(), Set.of()), true);

    assertThat(nginxTest(config).code()).isZero();
  }

  @Test
  void backupServersAreRefusedWithHashBalancing() {
    List<Instance> instances = List.of(instance(1, "one", 3000, "primary", true), instance(2, "spare", 3001, "backup", true));

    assertThatThrownBy(() -> files.nginx(snapshot(instances, settings("ip_hash"), Set.of(1L), Set.of()), true))
        .isInstanceOf(RenderException.class)
        .hasMessageContaining("make instance 'spare' primary");
  }

  @Test
  void promtoolAcceptsPrometheusYmlThatAsksTheConsoleForTheBridges() throws Exception {
    String yml = files.prometheus();
    Path file = data.resolve("prometheus.yml");
    Files.writeString(file, yml);
    // as the operator is told to: the token beside the file (promtool 2.42 does not read it; Prometheus does)
    Files.writeString(data.resolve(GeneratedFiles.PROMETHEUS_TOKEN_FILE), "obt_example\n");

    Outcome check = run(List.of("promtool", "check", "config", file.toString()));

    assertThat(check.code()).as(check.output()).isZero();
    assertThat(yml).contains("http_sd_configs:", "- url: \"http://127.0.0.1:8800/api/v1/sd/bridges\"", "type: Bearer",
        "credentials_file: \"" + GeneratedFiles.PROMETHEUS_TOKEN_FILE + "\"", "target_label: instance")
        .doesNotContain("obt_", "static_configs");
  }

  @Test
  void prometheusDialsAConsoleListeningOnEveryAddressThroughItsLoopback() {
    assertThat(new GeneratedFiles(() -> new HostPort("0.0.0.0", 9900)).prometheus())
        .contains("- url: \"http://127.0.0.1:9900/api/v1/sd/bridges\"");
    assertThat(new GeneratedFiles(() -> new HostPort("::", 9900)).prometheus())
        .contains("- url: \"http://[::1]:9900/api/v1/sd/bridges\"");
  }

  @Test
  void supervisorConfHasOneProgramPerManagedInstanceAndAGroupOfExactlyThose() {
    Instance secret = instance(2, "two", 3001, "primary", true);
    secret = new Instance(2, "two", "local", "127.0.0.1", 3001, "https://api.example.com/v1", "auto", 1, "primary", 2, 30, true,
        "/srv/cache/two", true, "sk-100%'secret", List.of(), 0, true, true, true, List.of("https://app.example.com"),
        List.of(), List.of(), 0, 0, 30_000, 1, Instant.now(), Instant.now());
    Instance external = new Instance(3, "far", "local", "10.0.0.5", 3000, "http://x", "auto", 1, "primary", 2, 30, false, null,
        false, null, List.of(), 0, true, true, false, List.of(), List.of(), List.of(), 0, 0, 30_000, 1, Instant.now(),
        Instant.now());

    Snapshot snapshot = snapshot(List.of(instance(1, "one", 3000, "primary", true), secret, external),
        settings("least_conn"), Set.of(), Set.of());
    String conf = files.supervisor(snapshot, GeneratedFiles.Secrets.REFERENCED);
    String clear = files.supervisor(snapshot, GeneratedFiles.Secrets.CLEAR);

    assertThat(conf).contains("[program:ollama-bridge-one]", "[program:ollama-bridge-two]", "[group:ollama-bridges]",
        "programs=ollama-bridge-one,ollama-bridge-two", "stdout_logfile_maxbytes=50MB", "stdout_logfile_backups=10",
        "bridge -l 127.0.0.1:3001 --ollama https://api.example.com/v1", "--enable-cache --cache-dir /srv/cache/two", "--allowed-origin https://app.example.com");
    assertThat(conf).contains("environment=BRIDGE_API_KEY=\"%(ENV_OLLAMA_BRIDGE_TWO_API_KEY)s\"",
        ";   OLLAMA_BRIDGE_TWO_API_KEY  (BRIDGE_API_KEY of instance two)").doesNotContain("sk-100");
    assertThat(clear).contains("environment=BRIDGE_API_KEY=\"sk-100%%'secret\"").doesNotContain("ENV_");
    assertThat(conf).doesNotContain("far");
  }

  @Test
  void supervisorConfGivesTheSharedRedisToTheCachingBridgesWithItsPasswordFromOneVariableOfSupervisords() {
    String password = "redis-pw-0123456789";
    GeneratedFiles withRedis = new GeneratedFiles(() -> new HostPort("127.0.0.1", 8800),
        () -> new RedisTarget("redis://10.0.0.5:6379", password));
    Instance plain = instance(3, "plain", 3002, "primary", true);
    plain = new Instance(3, "plain", "local", "127.0.0.1", 3002, "http://127.0.0.1:11434", "auto", 1, "primary", 2, 30, false,
        null, false, null, List.of(), 0, true, true, true, List.of(), List.of(), List.of(), 0, 0, 30_000, 1, Instant.now(),
        Instant.now());
    Snapshot snapshot = snapshot(List.of(instance(1, "one", 3000, "primary", true), instance(2, "two", 3001, "primary", true),
        plain), settings("least_conn"), Set.of(), Set.of());

    String conf = withRedis.supervisor(snapshot, GeneratedFiles.Secrets.REFERENCED);
    String clear = withRedis.supervisor(snapshot, GeneratedFiles.Secrets.CLEAR);

    String reference = "environment=BRIDGE_CACHE_REDIS_PASSWORD=\"%(ENV_OLLAMA_BRIDGE_CACHE_REDIS_PASSWORD)s\"";
    assertThat(conf.split("\\[program:")).filteredOn(program -> program.startsWith("ollama-bridge-one")
        || program.startsWith("ollama-bridge-two")).hasSize(2)
        .allMatch(program -> program.contains("--cache-redis redis://10.0.0.5:6379") && program.contains(reference));
    assertThat(conf.substring(conf.indexOf("[program:ollama-bridge-plain]"))).doesNotContain("--cache-redis", "REDIS");
    assertThat(conf).containsOnlyOnce(";   OLLAMA_BRIDGE_CACHE_REDIS_PASSWORD  (").doesNotContain(password);
    assertThat(clear).contains("environment=BRIDGE_CACHE_REDIS_PASSWORD=\"" + password + "\"").doesNotContain("ENV_");
  }

  private Outcome nginxTest(String config) throws Exception {
    Path prefix = data.resolve("nginx");
    Files.createDirectories(prefix.resolve("conf"));
    Files.createDirectories(prefix.resolve("logs"));
    Files.createDirectories(prefix.resolve("temp"));
    Path file = prefix.resolve("conf/nginx.conf");
    Files.writeString(file, config);
    return run(List.of("nginx", "-t", "-p", prefix + "/", "-c", file.toString()));
  }

  private Snapshot snapshot(List<Instance> instances, Map<Setting, String> settings, Set<Long> healthy, Set<Long> draining) {
    List<String> command = new ArrayList<>(List.of("/usr/bin/java"));
    command.addAll(BridgeLaunch.JVM_FLAGS);
    command.addAll(List.of("-jar", "/opt/ollama-bridge.jar"));
    return new Snapshot(instances, settings, healthy, draining, data, command);
  }

  static Map<Setting, String> settings(String balance) {
    Map<Setting, String> settings = new EnumMap<>(Setting.class);
    for (Setting setting : Setting.values()) {
      settings.put(setting, setting.defaultValue());
    }
    settings.put(Setting.NGINX_BALANCE, balance);
    return settings;
  }

  static Instance instance(long id, String name, int port, String role, boolean enabled) {
    return new Instance(id, name, "local", "127.0.0.1", port, "http://127.0.0.1:11434", "auto", 1, role, 2, 30, true,
        "/tmp/cache/" + name, false, null, List.of(), 0, true, enabled, true, List.of(), List.of(), List.of(), 0, 0, 30_000, 1,
        Instant.now(), Instant.now());
  }

  record Outcome(int code, String output) {}

  static Outcome run(List<String> command) throws IOException, InterruptedException {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return new Outcome(process.exitValue(), output);
  }
}
