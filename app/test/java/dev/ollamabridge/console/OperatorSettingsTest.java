package dev.ollamabridge.console;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ollamabridge.cli.HostPort;
import dev.ollamabridge.console.settings.Setting;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What the console executes or writes outside its data directory is operator configuration: a
 * token holder can read it but not change it (the nginx-ui CVE-2024-22197 class).
 */
class OperatorSettingsTest {

  @TempDir Path data;
  @TempDir Path elsewhere;

  @Test
  void aTokenHolderCannotMakeTheConsoleRunACommandOrOverwriteAFile() throws Exception {
    Path marker = elsewhere.resolve("ran");
    Path victim = Files.writeString(elsewhere.resolve("victim.txt"), "precious\n");
    try (ConsoleApp console = start("off")) {
      ConsoleClient api = new ConsoleClient(console.port(), console.adminToken());

      ConsoleClient.Answer patch = api.patch("/settings", """
          {"nginx.mode":"system","nginx.test_command":"/usr/bin/touch %s",
           "nginx.reload_command":"/usr/bin/cp %s/admin-token %s/stolen","nginx.system_path":"%s"}"""
          .formatted(marker, data, elsewhere, victim));

      assertThat(patch.status()).isEqualTo(400);
      assertThat(patch.field()).isEqualTo("nginx.mode");
      assertThat(patch.error()).contains("operator configuration", "--nginx-mode", "OLLAMA_BRIDGE_NGINX_MODE");
    }
    try (ConsoleApp restarted = start("off")) {
      ConsoleClient api = TestConsoles.client(restarted, data);
      assertThat(api.get("/settings").body().path("nginx.test_command").asText()).isEqualTo("nginx -t");
      assertThat(api.get("/settings").body().path("nginx.system_path").asText()).isEqualTo("/etc/nginx/conf.d/ollama-bridge.conf");
    }
    assertThat(marker).doesNotExist();
    assertThat(elsewhere.resolve("stolen")).doesNotExist();
    assertThat(victim).hasContent("precious");
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"nginx.mode", "nginx.system_path", "nginx.test_command", "nginx.reload_command", "cache.roots",
      "bridge.java", "nginx.tls_dir"})
  void eachOperatorSettingIsShownButRefusedWithWhereItIsSet(String key) {
    Setting setting = Setting.byKey(key).orElseThrow();
    try (ConsoleApp console = start("off")) {
      ConsoleClient api = new ConsoleClient(console.port(), console.adminToken());
      String before = api.get("/settings").body().path(key).asText(null);

      ConsoleClient.Answer patch = api.patch("/settings", "{\"" + key + "\":\"/usr/bin/true\"}");

      assertThat(before).as("shown read-only").isNotNull();
      assertThat(patch.status()).isEqualTo(400);
      assertThat(patch.field()).isEqualTo(key);
      assertThat(patch.error()).contains(setting.flag(), setting.environmentVariable());
      assertThat(api.get("/settings").body().path(key).asText()).isEqualTo(before);
    }
  }

  @Test
  void theOperatorsValuesAreShownAndARowLeftByAnOlderConsoleIsIgnored() throws Exception {
    try (ConsoleApp first = start("off")) {
      // a console before operator settings existed stored what its API was sent
    }
    try (Connection db = DriverManager.getConnection("jdbc:sqlite:" + data.resolve("console.db"));
        PreparedStatement insert = db.prepareStatement("INSERT INTO settings (key, value, updated_at) VALUES (?, ?, 'then')")) {
      insert.setString(1, "nginx.reload_command");
      insert.setString(2, "/usr/bin/touch " + elsewhere.resolve("ran"));
      insert.executeUpdate();
    }
    ConsoleConfig config = TestConsoles.offline(data)
        .withOperator(Setting.NGINX_TEST_COMMAND, "/usr/sbin/nginx -t");
    try (ConsoleApp console = ConsoleApp.start(config)) {
      ConsoleClient api = TestConsoles.client(console, data);

      assertThat(api.get("/settings").body().path("nginx.reload_command").asText()).isEqualTo("nginx -s reload");
      assertThat(api.get("/settings").body().path("nginx.test_command").asText()).isEqualTo("/usr/sbin/nginx -t");
      assertThat(api.get("/settings").body().path("nginx.mode").asText()).isEqualTo("off");
    }
  }

  private ConsoleApp start(String mode) {
    return ConsoleApp.start(new ConsoleConfig(data, new HostPort("127.0.0.1", 0), false, mode, null));
  }
}
