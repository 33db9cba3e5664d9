package dev.ollamabridge.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ollamabridge.Main;
import dev.ollamabridge.console.cache.RedisProbe;
import dev.ollamabridge.console.cache.RedisTarget;
import dev.ollamabridge.files.OwnerOnly;
import dev.ollamabridge.testing.RedisServer;
import dev.ollamabridge.testing.TestPorts;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The managed Redis, for real: one setting has the console run redis-server under its data directory,
 * owner-only, its password in files only (never its command line), supervised (restarted when it
 * dies, adopted by the next console, stopped by {@code console stop-all}), and stopped when turned off.
 */
class ManagedRedisTest {

  private static final Duration PATIENCE = Duration.ofSeconds(60);

  @TempDir Path data;
  private ConsoleApp console;
  private int port;

  @BeforeEach
  void installed() {
    RedisServer.assumeInstalled();
    port = TestPorts.listenPort();
  }

  @AfterEach
  void stop() {
    if (console != null) {
      console.close();
    }
  }

  @Test
  void oneSettingRunsAPrivateSupervisedRedisThatOutlivesTheConsoleUntilStopAll() throws Exception {
    console = TestConsoles.start(data);
    ConsoleClient api = TestConsoles.client(console, data);

    ConsoleClient.Answer on = api.patch("/settings", "{\"cache.redis_managed\":\"127.0.0.1:" + port + "\"}");

    assertThat(on.status()).as(String.valueOf(on.body())).isEqualTo(200);
    JsonNode cache = awaitConnected(api);
    assertThat(cache.path("source").asText()).isEqualTo("managed");
    assertThat(cache.path("url").asText()).isEqualTo("redis://127.0.0.1:" + port);
    Path dir = data.resolve("redis");
    String password = Files.readString(dir.resolve("password")).strip();
    assertThat(OwnerOnly.isOwnerOnly(dir)).isTrue();
    assertThat(Files.getPosixFilePermissions(dir.resolve("password"))).isEqualTo(OwnerOnly.FILE);
    assertThat(Files.getPosixFilePermissions(dir.resolve("redis.conf"))).isEqualTo(OwnerOnly.FILE);
    assertThat(Files.readString(dir.resolve("redis.conf"))).contains("bind 127.0.0.1\n", "port " + port + "\n",
        "requirepass " + password + "\n", "maxmemory 256mb\n", "maxmemory-policy allkeys-lru\n", "save \"\"\n",
        "appendonly no\n", "protected-mode yes\n", "daemonize no\n");
    long pid = cache.at("/managed/pid").asLong();
    String argv = Files.readString(Path.of("/proc/" + pid + "/cmdline"), StandardCharsets.ISO_8859_1);
    assertThat(argv).contains("redis-server", dir.resolve("redis.conf").toString()).doesNotContain(password);
    assertThat(Files.readString(data.resolve("logs/redis.log"))).doesNotContain(password);
    try (RedisProbe probe = new RedisProbe(Duration.ofSeconds(5))) {
      String url = "redis://127.0.0.1:" + port;
      assertThat(probe.probe(new RedisTarget(url, "not-" + password)).state()).isEqualTo("refused");
      assertThat(probe.probe(new RedisTarget(url, null)).state()).isEqualTo("refused");
      assertThat(probe.probe(new RedisTarget(url, password)).state()).isEqualTo("connected");
    }

    ProcessHandle.of(pid).orElseThrow().destroyForcibly(); // kill -9: the supervisor starts another
    long restarted = await().atMost(PATIENCE).until(() -> awaitConnected(api).at("/managed/pid").asLong(), p -> p != pid);

    assertThat(api.patch("/settings", "{\"cache.redis_max_memory_mb\":64}").status()).isEqualTo(200);
    assertThat(Files.readString(dir.resolve("redis.conf"))).contains("maxmemory 64mb\n");
    long resized = await().atMost(PATIENCE).until(() -> awaitConnected(api).at("/managed/pid").asLong(), p -> p != restarted);

    console.close();
    console = null;
    assertThat(ProcessHandle.of(resized)).as("a stopped console leaves its Redis running").isPresent();
    console = TestConsoles.start(data);
    JsonNode adopted = awaitConnected(TestConsoles.client(console, data));
    assertThat(adopted.at("/managed/pid").asLong()).as("adopted, not started again").isEqualTo(resized);
    assertThat(Files.readString(dir.resolve("password")).strip()).as("the same password").isEqualTo(password);
    console.close();
    console = null;

    StringWriter out = new StringWriter();
    CommandLine command = Main.commandLine();
    command.setOut(new PrintWriter(out));
    int code = command.execute("console", "stop-all", "--data", data.toString(), "--wait", "30");

    assertThat(code).isZero();
    assertThat(out.toString()).contains("Stopped redis (pid " + resized + ")");
    await().atMost(PATIENCE).until(() -> ProcessHandle.of(resized).map(p -> !p.isAlive()).orElse(true));
  }

  @Test
  void turnedOffTheManagedRedisStopsAndTheStateSaysOff() {
    console = TestConsoles.start(data);
    ConsoleClient api = TestConsoles.client(console, data);
    api.patch("/settings", "{\"cache.redis_managed\":\"127.0.0.1:" + port + "\"}");
    long pid = awaitConnected(api).at("/managed/pid").asLong();

    ConsoleClient.Answer off = api.patch("/settings", "{\"cache.redis_managed\":\"off\"}");

    assertThat(off.status()).isEqualTo(200);
    await().atMost(PATIENCE).until(() -> ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true));
    JsonNode cache = api.get("/cache").body();
    assertThat(cache.path("state").asText()).isEqualTo("off");
    assertThat(cache.path("managed").isNull()).isTrue();
  }

  private static JsonNode awaitConnected(ConsoleClient api) {
    return await().atMost(PATIENCE).pollInterval(Duration.ofMillis(500)).until(() -> api.get("/cache").body(),
        body -> body.path("state").asText().equals("connected") && body.at("/managed/state").asText().equals("RUNNING"));
  }
}
