package dev.ollamabridge.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ollamabridge.console.backup.Passphrases;
import dev.ollamabridge.fake.FakeOllama;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
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
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * A console backed up while it runs and serves, restored into an empty directory, starts as the same
 * console: its instances, settings, nginx configuration and revisions, its API token and admin
 * password; with secrets an upstream key too. A backup that was changed, a wrong passphrase and a
 * directory that is not empty are refused, writing nothing.
 */
class BackupRestoreTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final OkHttpClient HTTP = new OkHttpClient.Builder().followRedirects(false)
      .readTimeout(Duration.ofSeconds(60)).build();
  private static final String PASSPHRASE = "correct horse battery staple";
  private static final String UPSTREAM_KEY = "sk-upstream-0123456789abcdef";
  private static final String CLIENT_KEY = "client-key-0123456789";
  private static final String NEW_PASSWORD = "the restored console's password";

  @TempDir Path data;
  @TempDir Path files;
  private final FakeOllama backend = FakeOllama.start(FakeOllama.Options.defaults());
  private ManagedNginxFixture nginx;
  private ConsoleApp second;

  @AfterEach
  void close() {
    Teardown.run(Teardown.closing(second), Teardown.closing(nginx == null ? null : nginx.console), () -> stopAll(data),
        backend::close);
  }

  @Test
  void aConsoleRestoredFromABackupTakenWhileItServedIsTheSameConsole() throws Exception {
    nginx = new ManagedNginxFixture(data);
    ConsoleClient api = nginx.api;
    nginx.create("plain", backend.baseUrl(), 2);
    ConsoleClient.Answer keyed = api.post("/instances", "{\"name\":\"keyed\",\"upstream_url\":\"" + backend.baseUrl()
        + "\",\"role\":\"backup\",\"shared_mode\":true,\"upstream_api_key\":\"" + UPSTREAM_KEY + "\",\"client_keys\":[\""
        + CLIENT_KEY + "\"]}");
    assertThat(keyed.status()).as(String.valueOf(keyed.body())).isEqualTo(201);
    // keys.required off for now, so that the load below needs no key; the restored console turns it on
    assertThat(api.patch("/settings", "{\"nginx.keepalive\":48,\"models.refresh_s\":120,\"keys.required\":\"off\"}")
        .status()).isEqualTo(200);
    ConsoleClient.Answer clientKey = api.post("/keys", "{\"name\":\"restored-app\",\"models\":[\"fake-*\"]}");
    assertThat(clientKey.status()).as(String.valueOf(clientKey.body())).isEqualTo(201);
    String clientSecret = clientKey.body().path("secret").asText();
    assertThat(clientSecret).startsWith("ob-");
    nginx.awaitSettled();
    String firstPassword = Files.readString(data.resolve("admin-password")).strip();
    WebSession admin = WebSession.login(nginx.console.port(), firstPassword);
    String token = admin.createToken("ci-deploy");
    admin.changePassword(firstPassword, NEW_PASSWORD);
    JsonNode instancesBefore = withoutRuntime(api.get("/instances").body());
    String configBefore = api.text("/nginx/config").body();
    JsonNode newestRevision = nginx.newestApplied().orElseThrow();

    Path plainBackup = files.resolve("plain.zip");
    Path sealedBackup = files.resolve("sealed.zip");
    AtomicBoolean writing = new AtomicBoolean(true);
    Thread writer = new Thread(() -> {
      // the database changes while it is copied: settings (and their events) keep being written
      for (int i = 0; writing.get(); i++) {
        api.patch("/settings", "{\"events.keep_days\":" + (100 + i % 50) + "}");
      }
    });
    try (ChatLoad load = new ChatLoad(nginx.nginxPort, 5)) {
      writer.start();
      load.awaitMore(5);
      Run plain = backup(plainBackup, false, Map.of());
      Run sealed = backup(sealedBackup, true, Map.of(Passphrases.VARIABLE, PASSPHRASE));
      load.awaitMore(5);
      writing.set(false);
      writer.join();
      load.stop();
      assertThat(plain.code()).as(plain.err()).isZero();
      assertThat(plain.out()).contains("without secrets", "not in it: instance keyed: upstream_api_key, client_keys");
      assertThat(sealed.code()).as(sealed.err()).isZero();
      assertThat(load.failures).as("the backups took nothing from the traffic").isEmpty();
    }
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(sealedBackup))).isEqualTo("rw-------");
    assertThat(entries(plainBackup)).containsExactly("manifest.json", "console.db")
        .as("no CA here: the agent listener is off");
    assertThat(entries(sealedBackup)).containsExactly("manifest.json", "console.db", "secrets.bin");
    for (Path backup : List.of(plainBackup, sealedBackup)) {
      String everything = new String(Files.readAllBytes(backup), java.nio.charset.StandardCharsets.ISO_8859_1)
          + unzipped(backup, "console.db");
      assertThat(everything).as("no secret in clear in " + backup).doesNotContain(UPSTREAM_KEY, CLIENT_KEY);
    }
    JsonNode manifest = JSON.readTree(unzippedBytes(sealedBackup, "manifest.json"));
    assertThat(manifest.path("format").asInt()).isEqualTo(1);
    assertThat(manifest.path("secrets").path("cipher").asText()).isEqualTo("AES-256-GCM");
    assertThat(manifest.path("secrets").path("iterations").asInt()).isGreaterThanOrEqualTo(600_000);
    assertThat(manifest.path("parts").findValuesAsText("sha256")).allMatch(hash -> hash.matches("[0-9a-f]{64}"));

    nginx.console.close();
    assertThat(stopAll(data).code()).isZero();
    Run notEmpty = restore(plainBackup, data, Map.of());
    assertThat(notEmpty.code()).isEqualTo(1);
    assertThat(notEmpty.err()).isEqualTo("restore: the data directory " + data.toAbsolutePath().normalize() + " is not empty:"
        + " restore into a new or empty directory\n");
    // the machine is lost: the console comes back from its backup in the same place
    Files.move(data, files.resolve("lost"));
    Path restored = data;
    Path tampered = tamper(sealedBackup, "console.db");
    Run refusedTampered = restore(tampered, restored, Map.of(Passphrases.VARIABLE, PASSPHRASE));
    assertThat(refusedTampered.code()).isEqualTo(1);
    assertThat(refusedTampered.err()).contains("restore: the backup's part console.db is not what its manifest says");
    Run wrongPassphrase = restore(sealedBackup, restored, Map.of(Passphrases.VARIABLE, "not the passphrase at all"));
    assertThat(wrongPassphrase.code()).isEqualTo(1);
    assertThat(wrongPassphrase.err()).contains("the passphrase is wrong");
    Run noPassphrase = restore(sealedBackup, restored, Map.of());
    assertThat(noPassphrase.err()).contains("the backup holds secrets: give its passphrase in " + Passphrases.VARIABLE);
    assertThat(restored).as("the refused restores wrote nothing").doesNotExist();
    try (Stream<Path> beside = Files.list(restored.getParent())) {
      assertThat(beside.map(p -> p.getFileName().toString())).as("nor left a staging directory")
          .noneMatch(name -> name.startsWith("." + restored.getFileName() + ".restoring-"));
    }

    Run done = restore(sealedBackup, restored, Map.of(Passphrases.VARIABLE, PASSPHRASE));
    assertThat(done.code()).as(done.err()).isZero();
    assertThat(done.out()).contains("with its secrets");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(restored))).isEqualTo("rwx------");
    assertThat(query(restored, "PRAGMA integrity_check")).isEqualTo("ok");
    assertThat(query(restored, "SELECT upstream_api_key FROM instances WHERE name = 'keyed'")).isEqualTo(UPSTREAM_KEY);
    assertThat(query(restored, "SELECT client_keys FROM instances WHERE name = 'keyed'")).contains(CLIENT_KEY);

    second = ConsoleApp.start(TestConsoles.configured(restored, "managed", null));
    ConsoleClient restoredApi = new ConsoleClient(second.port(), token);
    assertThat(second.adminToken()).as("no new admin token: the old ones are there").isNull();
    assertThat(restoredApi.get("/instances").status()).as("the old API token works").isEqualTo(200);
    assertThat(restoredApi.withToken("obt_not-a-token").get("/instances").status()).isEqualTo(401);
    assertThat(withoutRuntime(restoredApi.get("/instances").body())).isEqualTo(instancesBefore);
    assertThat(restoredApi.get("/settings").body().path("nginx.keepalive").asText()).isEqualTo("48");
    await().atMost(ManagedNginxFixture.PATIENCE).untilAsserted(() -> assertThat(restoredApi.text("/nginx/config").body())
        .as("once its bridges are healthy again").isEqualTo(configBefore));
    await().atMost(ManagedNginxFixture.PATIENCE).untilAsserted(() -> assertThat(restoredApi.get("/nginx/revisions").body()
        .path("revisions").get(0).path("hash").asText()).as("nginx serves the revision it served before")
        .isEqualTo(newestRevision.path("hash").asText()));
    JsonNode kept = restoredApi.get("/nginx/revisions/" + newestRevision.path("id").asLong()).body();
    assertThat(kept.path("hash").asText()).as("the revisions came along").isEqualTo(newestRevision.path("hash").asText());
    assertThat(WebSession.loginStatus(second.port(), NEW_PASSWORD)).as("the admin password works").isEqualTo(303);
    assertThat(WebSession.loginStatus(second.port(), firstPassword)).as("the old one does not").isEqualTo(401);
    String listen = restoredApi.get("/settings").body().path("nginx.listen").asText();
    await().atMost(ManagedNginxFixture.PATIENCE).untilAsserted(() -> assertThat(chatThrough(listen))
        .as("nginx serves again").isEqualTo(200));

    // the client key came along: with keys required, a request without it is refused and one with it served
    assertThat(restoredApi.patch("/settings", "{\"keys.required\":\"on\"}").status()).isEqualTo(200);
    await().atMost(ManagedNginxFixture.PATIENCE).untilAsserted(() -> assertThat(
        KeyedChats.chat("http://" + listen, "/api/chat", "fake-llama", null).code()).isEqualTo(401));
    KeyedChats.Answer withKey = KeyedChats.chat("http://" + listen, "/api/chat", "fake-llama", clientSecret);
    assertThat(withKey.code()).as("the key made before the backup works: " + withKey.body()).isEqualTo(200);
  }

  /** The instances as the API lists them, without what a run changes (process, health, figures). */
  private static JsonNode withoutRuntime(JsonNode instances) {
    List<JsonNode> kept = new ArrayList<>();
    for (JsonNode instance : instances) {
      ObjectNode copy = instance.deepCopy();
      copy.remove(List.of("process", "health", "figures", "draining"));
      kept.add(copy);
    }
    kept.sort((a, b) -> a.path("name").asText().compareTo(b.path("name").asText()));
    return JSON.valueToTree(kept);
  }

  private static int chatThrough(String listen) {
    Request request = new Request.Builder().url("http://" + listen + "/api/chat").post(okhttp3.RequestBody.create(
        "{\"model\":\"fake-llama\",\"stream\":false,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
        okhttp3.MediaType.get("application/json"))).build();
    try (Response response = HTTP.newCall(request).execute()) {
      return response.code();
    } catch (IOException e) {
      return -1;
    }
  }

  record Run(int code, String out, String err) {}

  private Run backup(Path to, boolean secrets, Map<String, String> environment) {
    BackupCommand command = new BackupCommand();
    command.environment = environment;
    List<String> args = new ArrayList<>(List.of("--to", to.toString(), "--data-dir", data.toString()));
    if (secrets) {
      args.add("--include-secrets");
    }
    return execute(command, args.toArray(String[]::new));
  }

  private static Run restore(Path from, Path into, Map<String, String> environment) {
    RestoreCommand command = new RestoreCommand();
    command.environment = environment;
    return execute(command, "--from", from.toString(), "--data-dir", into.toString());
  }

  private static Run stopAll(Path dir) {
    return execute(new StopAllCommand(), "--data", dir.toString(), "--wait", "10");
  }

  private static Run execute(Object command, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine commandLine = new CommandLine(command);
    commandLine.setOut(new PrintWriter(out));
    commandLine.setErr(new PrintWriter(err));
    int code = commandLine.execute(args);
    return new Run(code, out.toString(), err.toString());
  }

  private static List<String> entries(Path zip) throws IOException {
    List<String> names = new ArrayList<>();
    try (ZipFile file = new ZipFile(zip.toFile())) {
      for (Enumeration<? extends ZipEntry> all = file.entries(); all.hasMoreElements(); ) {
        names.add(all.nextElement().getName());
      }
    }
    return names;
  }

  private static byte[] unzippedBytes(Path zip, String name) throws IOException {
    try (ZipFile file = new ZipFile(zip.toFile()); InputStream in = file.getInputStream(file.getEntry(name))) {
      return in.readAllBytes();
    }
  }

  private static String unzipped(Path zip, String name) throws IOException {
    return new String(unzippedBytes(zip, name), java.nio.charset.StandardCharsets.ISO_8859_1);
  }

  /** A copy of the backup with one byte of a part flipped; the manifest left as it was. */
  private Path tamper(Path backup, String part) throws IOException {
    Path copy = files.resolve("tampered.zip");
    try (ZipFile in = new ZipFile(backup.toFile()); OutputStream file = Files.newOutputStream(copy);
        ZipOutputStream out = new ZipOutputStream(file)) {
      for (Enumeration<? extends ZipEntry> all = in.entries(); all.hasMoreElements(); ) {
        ZipEntry entry = all.nextElement();
        byte[] bytes;
        try (InputStream stream = in.getInputStream(entry)) {
          bytes = stream.readAllBytes();
        }
        if (entry.getName().equals(part)) {
          bytes[bytes.length / 2] ^= 1;
        }
        out.putNextEntry(new ZipEntry(entry.getName()));
        out.write(bytes);
        out.closeEntry();
      }
    }
    return copy;
  }

  private static String query(Path dataDir, String sql) throws SQLException {
    try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + dataDir.resolve("console.db"));
        Statement statement = connection.createStatement(); ResultSet rows = statement.executeQuery(sql)) {
      return rows.next() ? rows.getString(1) : null;
    }
  }
}
