package dev.ollamabridge.console;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ollamabridge.cli.HostPort;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The rules an instance must keep that the first review found broken: numbers that wrapped around,
 * keys given twice, hosts nginx cannot use, one address spelt two ways, the console's own ports,
 * cache dirs outside the cache roots, and credentials in URLs. Each is a 400 or 409 naming the
 * field, with nothing stored.
 */
class InstanceRulesTest {

  @TempDir Path data;
  @TempDir Path elsewhere;
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

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "{\"weight\":18446744073709551621}          | weight  | from 1 to 100",
      "{\"port\":18446744073709554616}            | port    | from 1 to 65535",
      "{\"max_fails\":-9223372036854775809}       | max_fails | from 0 to 100",
      "{\"weight\":2,\"weight\":100}              | weight  | more than once",
      "{\"listen_host\":\"1:2\"}                         | listen_host | IP address",
      "{\"listen_host\":\":::::::\"}                     | listen_host | IP address",
      "{\"listen_host\":\"fffff:1\"}                     | listen_host | IP address",
      "{\"listen_host\":\"::1.2.3.4.5.6\"}               | listen_host | IP address",
      "{\"listen_host\":\"300.1.1.1\"}                   | listen_host | IP address",
      "{\"upstream_url\":\"http://user:pw@example.com\"} | upstream_url | upstream_api_key",
      "{\"allowed_origins\":[\"evil.example\"]}    | allowed_origins | origins such as",
      "{\"allowed_origins\":[\"https://a.example/x\"]} | allowed_origins | origins such as",
      "{\"allowed_origins\":\"https://a.example\"}   | allowed_origins | a list of",
      "{\"models\":[\"llama 3\"]}                  | models | letters, digits",
      "{\"models\":[\"$(reboot)\"]}                | models | letters, digits",
      "{\"models\":[\"x';\"]}                      | models | letters, digits",
      "{\"model_aliases\":[\"smart\"]}             | model_aliases | CLIENT=BACKEND",
      "{\"model_aliases\":[\"a=b\",\"a=c\"]}       | model_aliases | each CLIENT once",
      "{\"model_aliases\":[\"a=b c\"]}             | model_aliases | CLIENT=BACKEND",
      "{\"max_concurrent\":-1}                     | max_concurrent | from 0 to 10000",
      "{\"queue_timeout_ms\":600001}               | queue_timeout_ms | from 0 to 600000",
      "{\"name\":\"nginx\"}                          | name | the console's own programs",
      "{\"name\":\"bridge-archive\"}                 | name | the console's own programs"})
  void aBadValueIsA400NamingTheFieldAndNothingIsStored(String body, String field, String message) {
    ConsoleClient.Answer answer = api.post("/instances", body.replace("{", "{\"managed\":false,"));

    assertThat(answer.status()).as(String.valueOf(answer.body())).isEqualTo(400);
    assertThat(answer.field()).isEqualTo(field);
    assertThat(answer.error()).contains(message);
    assertThat(api.get("/instances").body()).isEmpty();
  }

  @Test
  void aHugeVersionIsRefusedNotWrappedAround() {
    long id = api.post("/instances", "{\"name\":\"one\",\"managed\":false}").body().path("id").asLong();

    ConsoleClient.Answer answer = api.patch("/instances/" + id, "{\"version\":18446744073709551617,\"weight\":5}");

    assertThat(answer.status()).isEqualTo(400);
    assertThat(answer.field()).isEqualTo("version");
    assertThat(api.get("/instances/" + id).body().path("weight").asInt()).isEqualTo(1);
  }

  @ParameterizedTest(name = "{0} beside 127.0.0.1")
  @ValueSource(strings = {"localhost", "::ffff:127.0.0.1", "0.0.0.0"})
  void oneAddressSpeltAnotherWayIsTaken(String host) {
    api.post("/instances", "{\"name\":\"one\",\"managed\":false,\"listen_host\":\"127.0.0.1\",\"port\":3100}");

    ConsoleClient.Answer answer = api.post("/instances", "{\"name\":\"two\",\"managed\":false,\"listen_host\":\"%s\",\"port\":3100}".formatted(host));

    assertThat(answer.status()).isEqualTo(409);
    assertThat(answer.field()).isEqualTo("port");
  }

  @Test
  void ipv6LoopbackSpeltInFullIsTheSameAddress() {
    api.post("/instances", "{\"name\":\"one\",\"managed\":false,\"listen_host\":\"::1\",\"port\":3100}");

    ConsoleClient.Answer answer = api.post("/instances", "{\"name\":\"two\",\"managed\":false,\"listen_host\":\"0:0:0:0:0:0:0:1\",\"port\":3100}");
    ConsoleClient.Answer elsewhereIsFine = api.post("/instances", "{\"name\":\"three\",\"managed\":false,\"listen_host\":\"10.0.0.9\",\"port\":3100}");

    assertThat(answer.status()).isEqualTo(409);
    assertThat(elsewhereIsFine.status()).isEqualTo(201);
  }

  @Test
  void anInstanceCannotTakeTheConsolesOrNginxsOwnPort() {
    int nginxPort = HostPort.parse(api.get("/settings").body().path("nginx.listen").asText()).port();

    ConsoleClient.Answer consolePort = api.post("/instances", "{\"name\":\"one\",\"port\":%d,\"managed\":false}".formatted(console.port()));
    ConsoleClient.Answer nginxsPort = api.post("/instances", "{\"name\":\"two\",\"port\":%d,\"managed\":false}".formatted(nginxPort));

    assertThat(consolePort.status()).isEqualTo(409);
    assertThat(consolePort.field()).isEqualTo("port");
    assertThat(consolePort.error()).contains("console");
    assertThat(nginxsPort.status()).isEqualTo(409);
    assertThat(nginxsPort.error()).contains("nginx");
    assertThat(api.get("/instances").body()).isEmpty();
  }

  @Test
  void aCacheDirMustLieInsideACacheRootAndBeADirectory() throws Exception {
    Path file = Files.writeString(data.resolve("cache").resolve("a-file"), "x");
    Files.createSymbolicLink(data.resolve("cache").resolve("escape"), elsewhere);

    for (String dir : new String[] {"/etc", "../../etc", elsewhere.toString(), "escape/sub", data.resolve("cache").toString()}) {
      ConsoleClient.Answer answer = api.post("/instances", "{\"managed\":false,\"cache_dir\":\"%s\"}".formatted(dir));
      assertThat(answer.status()).as(dir).isEqualTo(400);
      assertThat(answer.field()).isEqualTo("cache_dir");
      assertThat(answer.error()).contains("--cache-roots");
    }
    ConsoleClient.Answer aFile = api.post("/instances", "{\"managed\":false,\"cache_dir\":\"%s\"}".formatted(file));
    assertThat(aFile.status()).isEqualTo(400);
    assertThat(aFile.error()).contains("not a directory");
    assertThat(api.get("/instances").body()).isEmpty();
    assertThat(data.resolve("etc")).doesNotExist();
  }

  @Test
  void cacheDirsAreComparedByTheirCanonicalPaths() {
    String first = api.post("/instances", "{\"name\":\"one\",\"managed\":false,\"cache_dir\":\"shared\"}").body().path("cache_dir").asText();

    ConsoleClient.Answer sameDir = api.post("/instances",
        "{\"name\":\"two\",\"managed\":false,\"cache_dir\":\"%s/cache/x/../shared\"}".formatted(data));
    ConsoleClient.Answer inside = api.post("/instances", "{\"name\":\"three\",\"managed\":false,\"cache_dir\":\"shared/deeper\"}");

    assertThat(first).isEqualTo(data.resolve("cache/shared").toString());
    assertThat(sameDir.status()).isEqualTo(409);
    assertThat(sameDir.field()).isEqualTo("cache_dir");
    assertThat(inside.status()).as("a cache inside another's would prune it").isEqualTo(409);
  }

  @Test
  void anOperatorCanWidenTheCacheRoots() throws Exception {
    console.close();
    console = ConsoleApp.start(TestConsoles.offline(data)
        .withOperator(dev.ollamabridge.console.settings.Setting.CACHE_ROOTS, elsewhere.toString()));
    api = TestConsoles.client(console, data);

    ConsoleClient.Answer answer = api.post("/instances", "{\"managed\":false,\"cache_dir\":\"%s/fast\"}".formatted(elsewhere));

    assertThat(answer.status()).isEqualTo(201);
    assertThat(answer.body().path("cache_dir").asText()).isEqualTo(elsewhere.toRealPath().resolve("fast").toString());
  }

  @Test
  void credentialsInTheDefaultUpstreamAreRefusedToo() {
    ConsoleClient.Answer answer = api.patch("/settings", "{\"default_upstream\":\"https://me:secret@api.example.com/v1\"}");

    assertThat(answer.status()).isEqualTo(400);
    assertThat(answer.field()).isEqualTo("default_upstream");
    assertThat(api.get("/settings").body().toString()).doesNotContain("secret");
  }
}
