package dev.ollamabridge.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ollamabridge.cli.HostPort;
import dev.ollamabridge.console.settings.Setting;
import dev.ollamabridge.fake.FakeOllama;
import dev.ollamabridge.testing.TestPorts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * nginx.mode system: the console writes its file where a system nginx includes it, tests the
 * system's configuration and runs the reload command, all three as the operator set them. The "system" nginx here is a real nginx
 * this test runs with its own main config.
 */
class SystemNginxTest {

  @TempDir Path data;
  @TempDir Path system;

  @Test
  void theConsoleWritesTheIncludedFileTestsAndReloadsTheSystemNginx() throws Exception {
    int port = TestPorts.listenPort();
    Path included = system.resolve("conf.d/ollama-bridge.conf");
    Files.createDirectories(included.getParent());
    Files.createDirectories(system.resolve("logs"));
    Files.writeString(included, "# nothing yet\n");
    Path main = system.resolve("nginx.conf");
    Files.writeString(main, """
        pid %1$s/nginx.pid;
        error_log %1$s/logs/error.log;
        events {}
        http {
            access_log off;
            client_body_temp_path %1$s/client_body;
            proxy_temp_path %1$s/proxy;
            fastcgi_temp_path %1$s/fastcgi;
            uwsgi_temp_path %1$s/uwsgi;
            scgi_temp_path %1$s/scgi;
            include %2$s;
        }
        """.formatted(system, included));
    Process nginx = new ProcessBuilder("nginx", "-p", system + "/", "-c", main.toString(), "-g", "daemon off;")
        .redirectErrorStream(true).redirectOutput(system.resolve("nginx.out").toFile()).start();
    try (FakeOllama backend = FakeOllama.start(FakeOllama.Options.defaults())) {
      try (ConsoleApp console = TestConsoles.start(data)) {
        ConsoleClient api = new ConsoleClient(console.port(), console.adminToken());
        api.post("/instances", "{\"name\":\"far\",\"managed\":false,\"port\":3999}");
        assertThat(api.patch("/settings", "{\"nginx.listen\":\"127.0.0.1:%d\"}".formatted(port)).status()).isEqualTo(200);
      }
      ConsoleConfig systemMode = new ConsoleConfig(data, new HostPort("127.0.0.1", 0), false, "system", null)
          .withOperator(Setting.NGINX_SYSTEM_PATH, included.toString())
          .withOperator(Setting.NGINX_TEST_COMMAND, "nginx -t -p %s/ -c %s".formatted(system, main))
          .withOperator(Setting.NGINX_RELOAD_COMMAND, "nginx -p %s/ -c %s -s reload".formatted(system, main));
      try (ConsoleApp console = ConsoleApp.start(systemMode)) {
        ConsoleClient api = TestConsoles.client(console, data);

        await().atMost(ManagedNginxFixture.PATIENCE).until(() -> Files.readString(included).contains("upstream bridge_cluster"));
        String served = revisionServedOn(port);
        assertThat(Files.readString(included)).contains("# Revision " + served).doesNotContain("worker_processes");
        assertThat(api.get("/nginx/revisions").body().path("revisions").get(0).path("result").asText()).isEqualTo("applied");

        Path notAKey = Files.writeString(data.resolve("tls/not-a-key.pem"), "not a key\n");
        ConsoleClient.Answer refused = api.patch("/settings",
            "{\"nginx.tls_cert\":\"%s\",\"nginx.tls_key\":\"%s\"}".formatted(notAKey, notAKey));
        assertThat(refused.status()).isEqualTo(422);
        assertThat(Files.readString(included)).as("the file nginx refused was taken back").contains("# Revision " + served);
        assertThat(revisionServedOn(port)).isEqualTo(served);
      }
    } finally {
      nginx.destroy();
      nginx.waitFor(10, TimeUnit.SECONDS);
    }
  }

  private static String revisionServedOn(int port) throws Exception {
    try (Response response = new OkHttpClient().newCall(
        new Request.Builder().url("http://127.0.0.1:" + port + "/nginx-health").build()).execute()) {
      return response.header("X-Config-Revision");
    }
  }
}
