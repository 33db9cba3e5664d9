package dev.ollamabridge.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ollamabridge.console.settings.Setting;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The backups a running console makes: by {@code POST /api/v1/backups}, by the Settings page's button
 * and by backup.schedule, kept to backup.keep, listed and downloaded by name only; and what a backup
 * without secrets restores (the instance that had keys comes back disabled, without them).
 */
class BackupApiTest {

  private static final OkHttpClient HTTP = new OkHttpClient.Builder().readTimeout(Duration.ofSeconds(60)).build();
  private static final String UPSTREAM_KEY = "sk-upstream-fedcba9876543210";

  @TempDir Path data;
  @TempDir Path elsewhere;
  private ConsoleApp console;
  private ConsoleApp restoredConsole;

  @AfterEach
  void close() {
    Teardown.run(Teardown.closing(restoredConsole), Teardown.closing(console));
  }

  @Test
  void backupsAreMadeListedKeptToTheirNumberAndDownloadedByNameOnly() throws Exception {
    console = TestConsoles.start(data);
    ConsoleClient api = TestConsoles.client(console, data);
    assertThat(api.patch("/settings", "{\"backup.keep\":2}").status()).isEqualTo(200);

    ConsoleClient.Answer made = api.post("/backups", "");
    assertThat(made.status()).as(String.valueOf(made.body())).isEqualTo(201);
    String name = made.body().path("name").asText();
    assertThat(name).matches("console-backup-\\d{8}-\\d{6}-\\d{3}Z\\.zip");
    Path file = data.resolve("backups").resolve(name);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
    byte[] downloaded = download(console.port(), api.token(), "/backups/" + name);
    assertThat(downloaded).isEqualTo(Files.readAllBytes(file));
    assertThat(zipEntries(downloaded)).containsExactly("manifest.json", "console.db");
    for (String hostile : List.of("..%2Fconsole.db", "%2Fetc%2Fpasswd", "console-backup-20260101-000000-000Z.zip", "x")) {
      assertThat(api.get("/backups/" + hostile).status()).as(hostile).isEqualTo(404);
    }

    String second = api.post("/backups", "").body().path("name").asText();
    String third = api.post("/backups", "").body().path("name").asText();

    JsonNode listed = api.get("/backups").body();
    assertThat(listed.path("backups").findValuesAsText("name")).as("the two newest, newest first")
        .containsExactly(third, second);
    assertThat(Files.exists(file)).isFalse();
    JsonNode events = api.get("/events?action=backup.deleted").body().path("events");
    assertThat(events.findValuesAsText("target")).containsExactly(name);
    assertThat(api.get("/events?action=backup.created").body().path("events")).hasSize(3);

    for (String kept : List.of(second, third)) {
      Files.delete(data.resolve("backups").resolve(kept));
    }
    assertThat(api.patch("/settings", "{\"backup.schedule\":\"daily\"}").status()).isEqualTo(200);
    await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(api.get("/events?action=backup.created")
        .body().path("events").findValuesAsText("actor")).as("the schedule makes one at once: there is none from today")
        .contains("schedule"));
    assertThat(api.get("/backups").body().path("backups")).as("and no second one: the first is from today").hasSize(1);
    assertThat(api.patch("/settings", "{\"backup.schedule\":\"weekly\"}").body().path("error").asText())
        .contains("backup.schedule", "must be one of off, daily");
  }

  @Test
  void theSettingsPageButtonDownloadsABackupWithoutSecrets() throws Exception {
    console = TestConsoles.start(data);
    WebSession browser = WebSession.login(console.port(), Files.readString(data.resolve("admin-password")).strip());
    String page = browser.get("/settings");
    assertThat(page).contains("id=\"backup-button\"", "--include-secrets", "Backups kept");

    byte[] zip;
    try (Response answer = browser.postRaw("/settings/backup", "/settings", Map.of())) {
      assertThat(answer.code()).isEqualTo(200);
      assertThat(answer.header("Content-Type")).startsWith("application/zip");
      assertThat(answer.header("Content-Disposition")).matches("attachment; filename=\"console-backup-[0-9Z-]+\\.zip\"");
      zip = answer.body().bytes();
    }
    assertThat(zipEntries(zip)).containsExactly("manifest.json", "console.db");
    String list = browser.get("/settings/backups");
    assertThat(list).contains("1 in <code>" + data.resolve("backups")).contains("href=\"/settings/backups/console-backup-");
    try (Response forged = HTTP.newCall(new Request.Builder().url("http://127.0.0.1:" + console.port() + "/settings/backup")
        .header("Cookie", browser.cookie()).post(okhttp3.RequestBody.create(new byte[0])).build()).execute()) {
      assertThat(forged.code()).as("no backup without the page's CSRF token").isEqualTo(403);
    }
  }

  @Test
  void aBackupThatCannotBeWrittenIsAFailureEventAndA500() throws Exception {
    Path notADirectory = Files.writeString(elsewhere.resolve("a-file"), "x");
    console = TestConsoles.start(TestConsoles.offline(data).withOperator(Setting.BACKUP_DIR, notADirectory.toString()), data);
    ConsoleClient api = TestConsoles.client(console, data);

    ConsoleClient.Answer refused = api.post("/backups", "");

    assertThat(refused.status()).isEqualTo(500);
    assertThat(refused.error()).contains(notADirectory.toString());
    assertThat(api.get("/events?action=backup.failed").body().path("events").findValuesAsText("detail"))
        .singleElement().asString().contains(notADirectory.toString());
    assertThat(api.patch("/settings", "{\"backup.dir\":\"/tmp\"}").status()).as("an operator setting").isEqualTo(400);
  }

  @Test
  void aBackupWithoutSecretsRestoresTheInstanceThatHadThemDisabledAndItsPathsMoved() throws Exception {
    console = TestConsoles.start(data);
    ConsoleClient api = TestConsoles.client(console, data);
    assertThat(api.post("/instances", "{\"name\":\"plain\",\"managed\":false}").status()).isEqualTo(201);
    assertThat(api.post("/instances", "{\"name\":\"keyed\",\"managed\":false,\"shared_mode\":true,\"upstream_api_key\":\""
        + UPSTREAM_KEY + "\"}").status()).isEqualTo(201);
    Path backup = data.resolve("backups").resolve(api.post("/backups", "").body().path("name").asText());
    Path restored = Files.createDirectory(elsewhere.resolve("restored")); // empty: as good as none

    StringWriter out = new StringWriter();
    CommandLine restore = new CommandLine(new RestoreCommand());
    restore.setOut(new PrintWriter(out));
    int code = restore.execute("--from", backup.toString(), "--data-dir", restored.toString());

    assertThat(code).isZero();
    assertThat(out.toString()).contains("without secrets", "not restored: instance keyed: upstream_api_key (restored disabled)");
    assertThat(query(restored, "SELECT count(*) FROM instances WHERE upstream_api_key IS NOT NULL")).isEqualTo("0");
    assertThat(restored.resolve("admin-token")).as("the admin token in clear is a secret").doesNotExist();
    restoredConsole = ConsoleApp.start(TestConsoles.offline(restored));
    ConsoleClient restoredApi = new ConsoleClient(restoredConsole.port(), api.token());
    JsonNode instances = restoredApi.get("/instances").body();
    assertThat(instances.findValuesAsText("name")).containsExactlyInAnyOrder("plain", "keyed");
    for (JsonNode instance : instances) {
      boolean keyed = instance.path("name").asText().equals("keyed");
      assertThat(instance.path("enabled").asBoolean()).as(instance.path("name").asText()).isEqualTo(!keyed);
      assertThat(instance.path("upstream_api_key").isNull()).isTrue();
      assertThat(instance.path("cache_dir").asText()).as("moved with the data directory")
          .startsWith(restored.toAbsolutePath().normalize() + "/cache/");
    }

    restoredConsole.close();
    restoredConsole = null;
    Path offline = elsewhere.resolve("offline.zip");
    int backedUp = new CommandLine(new BackupCommand()).setOut(new PrintWriter(new StringWriter()))
        .execute("--to", offline.toString(), "--data-dir", restored.toString());
    assertThat(backedUp).as("a stopped console is backed up too").isZero();
    assertThat(zipEntries(Files.readAllBytes(offline))).containsExactly("manifest.json", "console.db");
  }

  private static byte[] download(int port, String token, String path) throws IOException {
    Request request = new Request.Builder().url("http://127.0.0.1:" + port + "/api/v1" + path)
        .header("Authorization", "Bearer " + token).build();
    try (Response response = HTTP.newCall(request).execute()) {
      assertThat(response.code()).isEqualTo(200);
      assertThat(response.header("Content-Disposition")).startsWith("attachment;");
      return response.body().bytes();
    }
  }

  private static List<String> zipEntries(byte[] zip) throws IOException {
    List<String> names = new ArrayList<>();
    try (ZipInputStream in = new ZipInputStream(new java.io.ByteArrayInputStream(zip))) {
      for (ZipEntry entry = in.getNextEntry(); entry != null; entry = in.getNextEntry()) {
        names.add(entry.getName());
      }
    }
    return names;
  }

  private static String query(Path dataDir, String sql) throws SQLException {
    try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + dataDir.resolve("console.db"));
        Statement statement = connection.createStatement(); ResultSet rows = statement.executeQuery(sql)) {
      return rows.next() ? rows.getString(1) : null;
    }
  }
}
