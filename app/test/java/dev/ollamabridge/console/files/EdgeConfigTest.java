package dev.ollamabridge.console.files;

import static dev.ollamabridge.console.files.GeneratedFilesTest.run;
import static dev.ollamabridge.console.files.GeneratedFilesTest.settings;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ollamabridge.console.instances.Instance;
import dev.ollamabridge.console.models.ModelRepository;
import dev.ollamabridge.console.nginx.NginxBinary;
import dev.ollamabridge.console.nginx.NjsRouting;
import dev.ollamabridge.console.settings.Setting;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The nginx.conf an edge host's agent runs, checked by the real {@code nginx -t} in a prefix of its own
 * (as the agent lays it out: {@code conf/nginx.conf}, {@code conf/router.js}, {@code logs/}, {@code temp/}):
 * the console's upstreams and settings, every path relative to that prefix, the edge's own listen, the
 * bridges it cannot reach down, and the revision of the console's own config of the same state.
 */
class EdgeConfigTest {

  private static final Pattern REVISION = Pattern.compile("^# Revision (\\S+)$", Pattern.MULTILINE);

  @TempDir Path data;
  @TempDir Path edgePrefix;
  private final GeneratedFiles files = new GeneratedFiles();

  @Test
  void anEdgeConfigHasRelativePathsItsOwnListenAndTheConsolesRevisionAndNginxAcceptsIt() throws Exception {
    Map<Setting, String> settings = settings("least_conn");
    settings.put(Setting.NGINX_LISTEN, "127.0.0.1:8088");
    Snapshot snapshot = new Snapshot(List.of(instance(1, "one", "local", "198.18.0.1"), instance(2, "two", "h2", "198.18.0.2")),
        settings, Set.of(1L, 2L), Set.of(), data, List.of("/usr/bin/java"));
    String own = files.nginx(snapshot, true);

    String everywhere = files.edgeNginx(snapshot, new GeneratedFiles.Edge("h2", null), revision(own));
    String onOne = files.edgeNginx(snapshot, new GeneratedFiles.Edge("h2", "127.0.0.1"), revision(own));

    assertThat(revision(everywhere)).isEqualTo(revision(onOne)).isEqualTo(revision(own));
    assertThat(everywhere).contains("add_header X-Config-Revision " + revision(own) + " always;", "listen 8088;",
        "pid nginx.pid;", "error_log logs/error.log warn;", "client_body_temp_path temp/client_body;",
        "scgi_temp_path temp/scgi;", "access_log logs/access.log ollama_bridge;",
        "server 198.18.0.1:", "server 198.18.0.2:", "upstream bridge_cluster {")
        .doesNotContain(data.toString()).doesNotContain("\nuser ").doesNotContain("answers.jsonl");
    assertThat(everywhere).as("the JSON access log and the request id the bridges get")
        .contains("access_log logs/requests.jsonl ollama_bridge_requests;", "proxy_set_header X-Request-Id $ob_request_id;",
            "\"model\":\"\"}';");
    assertThat(own).contains("access_log " + data.resolve("nginx") + "/logs/requests.jsonl ollama_bridge_requests;");
    assertThat(onOne).contains("listen 127.0.0.1:8088;");
    assertThat(own).as("the console's own is as it was").contains("pid " + data.resolve("nginx") + "/nginx.pid;",
        "listen 127.0.0.1:8088;");
    assertThat(nginxTest(everywhere, false)).satisfies(test -> assertThat(test.code()).as(test.output()).isZero());
  }

  @Test
  void aBridgeOnAnotherMachinesLoopbackIsDownOnAnEdgeSaidWhyButOneOnTheEdgesOwnIsNot() {
    Snapshot snapshot = new Snapshot(List.of(instance(1, "here", "local", "127.0.0.1"), instance(2, "mine", "h2", "127.0.0.1"),
        instance(3, "wide", "local", "0.0.0.0"), instance(4, "far", "h3", "198.18.0.3")), settings("least_conn"),
        Set.of(1L, 2L, 3L, 4L), Set.of(), data, List.of("/usr/bin/java"));
    String own = files.nginx(snapshot, true);

    String onH2 = files.edgeNginx(snapshot, new GeneratedFiles.Edge("h2", null), revision(own));
    String onH3 = files.edgeNginx(snapshot, new GeneratedFiles.Edge("h3", null), revision(own));

    assertThat(serverLine(onH2, "here")).endsWith(" down; # here: down, on host local's loopback, which this edge cannot reach");
    assertThat(serverLine(onH2, "wide")).contains(" down; ");
    assertThat(serverLine(onH2, "mine")).doesNotContain("down");
    assertThat(serverLine(onH2, "far")).doesNotContain("down");
    assertThat(serverLine(onH3, "mine")).endsWith(" down; # mine: down, on host h2's loopback, which this edge cannot reach");
    assertThat(serverLine(own, "here")).as("the console reaches its own loopback").doesNotContain("down");
  }

  @Test
  void tlsIsLeftOutOfAnEdgeConfigForItsCertificateIsOnTheConsolesMachine() {
    Map<Setting, String> settings = settings("least_conn");
    settings.put(Setting.NGINX_TLS_CERT, "/etc/ssl/bridge.pem");
    settings.put(Setting.NGINX_TLS_KEY, "/etc/ssl/bridge.key");
    Snapshot snapshot = new Snapshot(List.of(instance(1, "one", "local", "198.18.0.1")), settings, Set.of(1L), Set.of(), data,
        List.of("/usr/bin/java"));
    String own = files.nginx(snapshot, true);

    String edge = files.edgeNginx(snapshot, new GeneratedFiles.Edge("h2", null), revision(own));

    assertThat(own).contains("ssl_certificate /etc/ssl/bridge.pem;");
    assertThat(edge).doesNotContain("ssl");
  }

  @Test
  void anEdgeConfigThatRoutesByModelImportsRouterJsBesideItAndNginxWithNjsAcceptsIt() throws Exception {
    Snapshot.Njs njs = NjsRouting.forWholeConfig(NginxBinary.find(), data.resolve("nginx")).orElseThrow(
        () -> new AssertionError("these tests need nginx's njs module: apt-get install libnginx-mod-http-js"));
    Instant seen = Instant.now();
    Snapshot snapshot = new Snapshot(List.of(instance(1, "one", "local", "198.18.0.1"), instance(2, "two", "h2", "127.0.0.1")),
        settings("least_conn"), Set.of(1L, 2L), Set.of(), data, List.of("/usr/bin/java"),
        Map.of(1L, List.of(new ModelRepository.Seen("llama3:latest", seen)), 2L, List.of(new ModelRepository.Seen("qwen", seen))),
        njs);
    String own = files.nginx(snapshot, true);

    String edge = files.edgeNginx(snapshot, new GeneratedFiles.Edge("h2", null), revision(own));

    assertThat(edge).contains("load_module " + njs.loadModule() + ";", "js_import router from router.js;",
        "\"qwen\" \"@group_2\";", "location @group_1 {", "\"model\":\"$ob_model\"}';")
        .doesNotContain(data.toString());
    assertThat(own).contains("js_import router from " + data.resolve("nginx").resolve("router.js") + ";");
    assertThat(nginxTest(edge, true)).satisfies(test -> assertThat(test.code()).as(test.output()).isZero());
  }

  /** {@code nginx -t} in the edge's own prefix, router.js beside nginx.conf as the agent places it. */
  private GeneratedFilesTest.Outcome nginxTest(String config, boolean withRouter) throws Exception {
    for (String dir : List.of("conf", "logs", "temp")) {
      Files.createDirectories(edgePrefix.resolve(dir));
    }
    if (withRouter) {
      NjsRouting.writeScript(edgePrefix.resolve("conf"));
    }
    Files.writeString(edgePrefix.resolve("conf/nginx.conf"), config);
    return run(List.of("nginx", "-t", "-p", edgePrefix + "/", "-c", "conf/nginx.conf"));
  }

  private static String revision(String config) {
    Matcher matcher = REVISION.matcher(config);
    assertThat(matcher.find()).as("a revision line in " + config).isTrue();
    return matcher.group(1);
  }

  private static String serverLine(String config, String instance) {
    return config.lines().filter(line -> line.strip().startsWith("server ") && line.endsWith("# " + instance)
        || line.contains("# " + instance + ":")).findFirst().orElseThrow().strip();
  }

  private static Instance instance(long id, String name, String host, String listenHost) {
    return new Instance(id, name, host, listenHost, 3000 + (int) id, "http://127.0.0.1:11434", "auto", 1, "primary", 2, 30,
        false, null, false, null, List.of(), 0, true, true, true, List.of(), List.of(), List.of(), 0, 0, 30_000, 1,
        Instant.now(), Instant.now());
  }
}
