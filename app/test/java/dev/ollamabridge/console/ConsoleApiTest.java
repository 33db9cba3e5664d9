package dev.ollamabridge.console;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The REST API's rules, on external instances (no processes): bad input is a 400 naming the field
 * and changes nothing, conflicts are 409, unknown ids 404, and nothing works without the token.
 */
class ConsoleApiTest {

  @TempDir Path data;
  private ConsoleApp console;
  private ConsoleClient api;

  @BeforeEach
  void start() {
    console = TestConsoles.start(data);
    api = new ConsoleClient(console.port(), console.adminToken());
  }

  @AfterEach
  void stop() {
    console.close();
  }

  @Test
  void theAdminTokenIsWrittenOnceForItsOwnerOnly() throws Exception {
    Path file = data.resolve("admin-token");

    assertThat(Files.readString(file).strip()).isEqualTo(console.adminToken());
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
    console.close();
    console = TestConsoles.start(data);
    assertThat(console.adminToken()).as("a second start makes no new token").isNull();
  }

  @Test
  void everyCallNeedsAValidToken() {
    ConsoleClient anonymous = api.withToken(null);
    ConsoleClient wrong = api.withToken("obt_not-a-real-token");

    assertThat(anonymous.get("/instances").status()).isEqualTo(401);
    assertThat(anonymous.get("/instances").error()).contains("Authorization: Bearer");
    assertThat(wrong.post("/instances", "{}").status()).isEqualTo(401);
    assertThat(anonymous.get("/openapi.json").status()).as("the API description is public").isEqualTo(200);
    assertThat(api.get("/instances").status()).isEqualTo(200);
  }

  @Test
  void aPostWithOnlyANameGetsSensibleDefaults() {
    JsonNode created = api.post("/instances", "{\"name\":\"edge\",\"managed\":false}").body();

    assertThat(created.path("name").asText()).isEqualTo("edge");
    assertThat(created.path("host").asText()).isEqualTo("local");
    assertThat(created.path("listen_host").asText()).isEqualTo("127.0.0.1");
    assertThat(created.path("port").asInt()).isGreaterThanOrEqualTo(3000);
    assertThat(created.path("cache_dir").asText()).isEqualTo(data.toAbsolutePath().resolve("cache/edge").toString());
    assertThat(created.path("upstream_url").asText()).isEqualTo("http://127.0.0.1:11434");
    assertThat(created.path("weight").asInt()).isEqualTo(1);
    assertThat(created.path("version").asInt()).isEqualTo(1);
  }

  @Test
  void twoInstancesGetDifferentPortsNamesAndCacheDirs() {
    JsonNode first = api.post("/instances", "{\"managed\":false}").body();
    JsonNode second = api.post("/instances", "{\"managed\":false}").body();

    assertThat(second.path("name").asText()).isNotEqualTo(first.path("name").asText());
    assertThat(second.path("port").asInt()).isNotEqualTo(first.path("port").asInt());
    assertThat(second.path("cache_dir").asText()).isNotEqualTo(first.path("cache_dir").asText());
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "{\"name\":\"Bad Name\"}                      | name             | lower-case letters",
      "{\"weight\":0}                               | weight           | from 1 to 100",
      "{\"weight\":\"heavy\"}                       | weight           | from 1 to 100",
      "{\"port\":70000}                             | port             | from 1024 to 65535",
      "{\"listen_host\":\"bad host;\"}              | listen_host      | host name or an IP address",
      "{\"host\":\"bad host;\"}                     | host             | the name of a host: local",
      "{\"host\":\"elsewhere\"}                     | host             | does not exist",
      "{\"upstream_url\":\"ftp://x\"}               | upstream_url     | http:// or https://",
      "{\"upstream_url\":\"http://a b\"}            | upstream_url     | must not contain spaces",
      "{\"role\":\"leader\"}                        | role             | primary, backup",
      "{\"upstream_dialect\":\"grpc\"}              | upstream_dialect | auto, ollama, openai",
      "{\"shared_mode\":true}                       | upstream_api_key | needs an upstream_api_key",
      "{\"cache_dir\":\"/tmp/a b\"}                 | cache_dir        | a path of letters",
      "{\"client_keys\":[\"has space\"]}            | client_keys      | without spaces",
      "{\"upstream_api_key\":\"a\\\";X=1;Z=\\\"\"}  | upstream_api_key | double quotes",
      "{\"upstream_api_key\":\"'quoted'\"}          | upstream_api_key | single quote",
      "{\"upstream_api_key\":\"my%(here)sKey\"}     | upstream_api_key | '%('",
      "{\"colour\":\"blue\"}                        | colour           | not a field"})
  void badInputIsA400NamingTheFieldAndChangesNothing(String body, String field, String message) {
    ConsoleClient.Answer answer = api.post("/instances", body.replace("}", ",\"managed\":false}").replace("{,", "{"));

    assertThat(answer.status()).isEqualTo(400);
    assertThat(answer.field()).isEqualTo(field);
    assertThat(answer.error()).contains(message);
    assertThat(api.get("/instances").body()).isEmpty();
  }

  @Test
  void aTakenNameOrPortIsAConflict() {
    api.post("/instances", "{\"name\":\"one\",\"port\":3100,\"managed\":false}");

    ConsoleClient.Answer sameName = api.post("/instances", "{\"name\":\"one\",\"port\":3101,\"managed\":false}");
    ConsoleClient.Answer samePort = api.post("/instances", "{\"name\":\"two\",\"port\":3100,\"managed\":false}");

    assertThat(sameName.status()).isEqualTo(409);
    assertThat(sameName.field()).isEqualTo("name");
    assertThat(samePort.status()).isEqualTo(409);
    assertThat(samePort.field()).isEqualTo("port");
    assertThat(api.get("/instances").body()).hasSize(1);
  }

  @Test
  void aChangeBasedOnAStaleVersionIsAConflict() {
    long id = api.post("/instances", "{\"name\":\"one\",\"managed\":false}").body().path("id").asLong();
    assertThat(api.patch("/instances/" + id, "{\"version\":1,\"weight\":5}").status()).isEqualTo(200);

    ConsoleClient.Answer stale = api.patch("/instances/" + id, "{\"version\":1,\"weight\":9}");
    ConsoleClient.Answer staleDelete = api.delete("/instances/" + id + "?version=1");
    ConsoleClient.Answer noVersion = api.patch("/instances/" + id, "{\"weight\":9}");

    assertThat(stale.status()).isEqualTo(409);
    assertThat(stale.error()).contains("version 2");
    assertThat(staleDelete.status()).isEqualTo(409);
    assertThat(noVersion.status()).isEqualTo(400);
    assertThat(noVersion.field()).isEqualTo("version");
    assertThat(api.get("/instances/" + id).body().path("weight").asInt()).isEqualTo(5);
  }

  @Test
  void anUnknownIdIsA404() {
    assertThat(api.get("/instances/99").status()).isEqualTo(404);
    assertThat(api.patch("/instances/99", "{\"version\":1}").status()).isEqualTo(404);
    assertThat(api.delete("/instances/99?version=1").status()).isEqualTo(404);
    assertThat(api.get("/instances/abc").status()).isEqualTo(400);
  }

  @Test
  void secretsAreNeverAnsweredInFull() {
    JsonNode created = api.post("/instances", """
        {"name":"cloud","managed":false,"shared_mode":true,"upstream_api_key":"sk-abcdefghijklmnopqrstuvwxyz",
         "client_keys":["client-key-0123456789"]}""").body();

    assertThat(created.path("upstream_api_key").asText()).isEqualTo("…wxyz");
    assertThat(created.path("client_keys").get(0).asText()).isEqualTo("…6789");
    assertThat(api.get("/events").body().toString()).doesNotContain("abcdefghij");
  }

  @Test
  void changesAndRemovalsAreEvents() {
    long id = api.post("/instances", "{\"name\":\"one\",\"managed\":false}").body().path("id").asLong();
    api.patch("/instances/" + id, "{\"version\":1,\"weight\":7}");
    assertThat(api.delete("/instances/" + id + "?version=2").status()).isEqualTo(204);

    JsonNode events = api.get("/events").body().path("events");

    assertThat(events.findValuesAsText("action")).contains("instance.create", "instance.update", "instance.delete");
    assertThat(events.findValuesAsText("actor")).contains("api:admin");
    assertThat(api.get("/instances/" + id).status()).isEqualTo(404);
  }

  @Test
  void theGeneratedFilesCanBeReadAndDownloadedWhileNginxIsOff() {
    api.post("/instances", "{\"name\":\"edge\",\"managed\":false,\"listen_host\":\"10.0.0.7\",\"port\":3000}");

    ConsoleClient.Answer apply = api.post("/nginx/apply", "");

    assertThat(apply.status()).isEqualTo(409);
    assertThat(apply.error()).contains("nginx.mode is off");
    assertThat(text("/nginx/config")).contains("server 10.0.0.7:3000 weight=1 max_fails=2 fail_timeout=30s down; # edge");
    assertThat(text("/exports/prometheus.yml")).contains("- url: \"http://127.0.0.1:" + console.port() + "/api/v1/sd/bridges\"");
    assertThat(text("/exports/supervisor.conf")).doesNotContain("edge").as("an external bridge is not run here");
    assertThat(api.get("/exports/httpd.conf").status()).isEqualTo(400);
  }

  @Test
  void prometheusDiscoversEveryEnabledBridgeWithATokenOnly() {
    api.post("/instances", "{\"name\":\"edge\",\"managed\":false,\"listen_host\":\"10.0.0.7\",\"port\":3000}");
    api.post("/instances", "{\"name\":\"spare\",\"managed\":false,\"listen_host\":\"::1\",\"port\":3001,\"role\":\"backup\"}");
    api.post("/instances", "{\"name\":\"off\",\"managed\":false,\"port\":3002,\"enabled\":false}");

    ConsoleClient.Answer targets = api.get("/sd/bridges");

    assertThat(targets.status()).isEqualTo(200);
    assertThat(targets.body().toString()).isEqualTo("[{\"targets\":[\"10.0.0.7:3000\"],\"labels\":{\"instance_name\":\"edge\","
        + "\"host\":\"local\",\"role\":\"primary\"}},{\"targets\":[\"[::1]:3001\"],\"labels\":{\"instance_name\":\"spare\","
        + "\"host\":\"local\",\"role\":\"backup\"}}]");
    assertThat(api.withToken(null).get("/sd/bridges").status()).isEqualTo(401);
    assertThat(fetch("/sd/bridges").contentType()).as("Prometheus reads no other type").isEqualTo("application/json");
  }

  @Test
  void supervisorConfCarriesTheSuperviseSettings() {
    api.post("/instances", "{\"name\":\"one\",\"enabled\":false}");
    api.patch("/settings", "{\"supervise.startsecs\":5,\"supervise.log_max_mb\":20}");

    String conf = text("/exports/supervisor.conf");

    assertThat(conf).contains("[program:ollama-bridge-one]", "startsecs=5", "stdout_logfile_maxbytes=20MB", "startretries=3",
        "autostart=false");
  }

  @Test
  void supervisorConfRefersToSecretsUnlessAskedForThemInClear() {
    api.post("/instances", """
        {"name":"cloud","enabled":false,"shared_mode":true,"upstream_api_key":"sk-0123456789abcdef"}""");

    String shared = text("/exports/supervisor.conf");
    String clear = text("/exports/supervisor.conf?secrets=clear");

    assertThat(shared).contains("BRIDGE_API_KEY=\"%(ENV_OLLAMA_BRIDGE_CLOUD_API_KEY)s\"").doesNotContain("sk-0123");
    assertThat(clear).contains("BRIDGE_API_KEY=\"sk-0123456789abcdef\"");
    assertThat(api.get("/events").body().path("events").findValuesAsText("action")).contains("export.secrets");
    assertThat(api.get("/exports/supervisor.conf?secrets=yes").field()).isEqualTo("secrets");
    assertThat(api.get("/exports/nginx.conf?secrets=clear").status()).isEqualTo(400);
  }

  @Test
  void aBackupIsRefusedWhileNginxBalancesByHash() {
    api.patch("/settings", "{\"nginx.balance\":\"ip_hash\"}");

    ConsoleClient.Answer backup = api.post("/instances", "{\"name\":\"spare\",\"managed\":false,\"role\":\"backup\"}");

    assertThat(backup.status()).isEqualTo(400);
    assertThat(backup.error()).contains("nginx refuses backup servers with ip_hash");
    assertThat(api.get("/instances").body()).isEmpty();
  }

  /** A plain GET with the admin token: its status, Content-Type and body. */
  private record Fetched(int status, String contentType, String body) {}

  private Fetched fetch(String path) {
    try (okhttp3.Response response = new okhttp3.OkHttpClient().newCall(new okhttp3.Request.Builder()
        .url("http://127.0.0.1:" + console.port() + "/api/v1" + path)
        .header("Authorization", "Bearer " + console.adminToken()).build()).execute()) {
      return new Fetched(response.code(), response.header("Content-Type"), response.body().string());
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private String text(String path) {
    Fetched fetched = fetch(path);
    assertThat(fetched.status()).isEqualTo(200);
    return fetched.body();
  }

  @Test
  void settingsAreCheckedBeforeAnyIsStored() {
    ConsoleClient.Answer bad = api.patch("/settings", "{\"health.rise\":3,\"health.fall\":0}");
    ConsoleClient.Answer good = api.patch("/settings", "{\"health.rise\":3,\"health.interval_ms\":500}");

    assertThat(bad.status()).isEqualTo(400);
    assertThat(bad.field()).isEqualTo("health.fall");
    assertThat(good.status()).isEqualTo(200);
    assertThat(api.get("/settings").body().path("health.rise").asText()).isEqualTo("3");
    assertThat(api.get("/settings").body().path("health.fall").asText()).isEqualTo("5");
  }
}
