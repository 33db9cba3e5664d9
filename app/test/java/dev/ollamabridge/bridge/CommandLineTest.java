package dev.ollamabridge.bridge;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ollamabridge.Main;
import dev.ollamabridge.fake.FakeOllama;
import dev.ollamabridge.testing.TestPorts;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

/** The bridge's command line, as the seed guide's supervisor file uses it. */
class CommandLineTest {

  @TempDir Path workDir;

  @Test
  void theSeedGuidesCommandLineStartsAWorkingBridge() throws Exception {
    FakeOllama backend = FakeOllama.start(FakeOllama.Options.defaults().withRequireKey("your_key"));
    int port = TestPorts.listenPort();
    Process bridge = new ProcessBuilder(
        javaBinary(), "-cp", System.getProperty("java.class.path"), Main.class.getName(), "bridge",
        "-l", "127.0.0.1:" + port, "--ollama", backend.baseUrl(),
        "--enable-cache", "--cache-dir", "./cache1", "--enable-shared-mode", "--api-key", "your_key")
        .directory(workDir.toFile())
        .redirectErrorStream(true)
        .redirectOutput(workDir.resolve("bridge.log").toFile())
        .start();
    try {
      String base = "http://127.0.0.1:" + port;
      awaitHealthy(base + "/health", bridge);

      Response answer = TestBridges.execute(new Request.Builder().url(base + "/v1/chat/completions")
          .post(okhttp3.RequestBody.create("""
              {"model":"fake-llama","messages":[{"role":"user","content":"Hello"}]}""", okhttp3.MediaType.get("application/json")))
          .build());

      assertThat(answer.code()).isEqualTo(200);
      assertThat(TestBridges.json(answer).at("/choices/0/message/content").asText()).isNotBlank();
      assertThat(backend.stats().lastAuthorization()).isEqualTo("Bearer your_key");
      assertThat(workDir.resolve("cache1")).isDirectory();
    } finally {
      bridge.destroy();
      bridge.waitFor();
      backend.close();
    }
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "--timeout -5 | --timeout must be a positive number",
      "--listen nowhere | is not HOST:PORT",
      "--listen 127.0.0.1:99999 | outside 0-65535",
      "--ollama ftp://example | must be an http:// or https:// URL",
      "--ollama http://me:secret@example.com | must not carry user:password@",
      "--enable-shared-mode | --enable-shared-mode needs the upstream key",
      "--upstream-dialect grpc | must be auto, ollama or openai",
      "--rate-limit -1 | --rate-limit must be 0",
      "--body-timeout 0 | --body-timeout must be a positive number",
      "--allowed-origin evil.example | --allowed-origin 'evil.example' must be * or an origin",
      "--allowed-origin http://app.example.com/path | --allowed-origin 'http://app.example.com/path' must be * or an origin",
      "--model-alias llama | --model-alias 'llama' must be CLIENT=BACKEND",
      "--model-alias =fake-llama | --model-alias '=fake-llama' needs a name on both sides of '='",
      "--model-alias llama= | --model-alias 'llama=' needs a name on both sides of '='",
      "--model-alias llama=a=b | a model name has no '=', spaces or control characters",
      "--model-alias llama=a --model-alias llama=b | --model-alias gives 'llama' twice (llama=a, llama=b)",
      "--max-concurrent -1 | --max-concurrent must be 0 (no limit)",
      "--queue-size -1 | --queue-size must be 0",
      "--queue-timeout 0 | --queue-timeout must be a positive number",
      "--enable-cache --cache-redis redis://:secret@127.0.0.1:6379 | --cache-redis must not carry a password: set BRIDGE_CACHE_REDIS_PASSWORD",
      "--enable-cache --cache-redis redis://me:secret@127.0.0.1:6379 | --cache-redis must not carry a password",
      "--enable-cache --cache-redis http://127.0.0.1:6379 | --cache-redis must be redis://HOST:PORT[/DB] or rediss://",
      "--enable-cache --cache-redis redis://127.0.0.1:6379/x | --cache-redis takes no path but a database number",
      "--enable-cache --cache-redis redis://[::1 | --cache-redis 'redis://[::1' is not a URL",
      "--cache-redis redis://127.0.0.1:6379 | --cache-redis needs --enable-cache",
      "--enable-cache --cache-redis redis://127.0.0.1 --cache-redis-max-entry-bytes 10 | --cache-redis-max-entry-bytes must be between 1024",
      "--no-such-flag | Unknown option"})
  void aBadFlagIsOneLineThatSaysWhatToChangeAndExitCode2(String flags, String message) {
    StringWriter err = new StringWriter();
    CommandLine commandLine = Main.commandLine();
    commandLine.setErr(new PrintWriter(err));

    String[] args = ("bridge " + flags).split(" ");
    int code = commandLine.execute(args);

    assertThat(code).isEqualTo(2);
    assertThat(err.toString()).contains(message);
    assertThat(err.toString().strip().lines()).hasSize(1);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"my llama=fake-llama", "llama=fake-llama\t", "llama\u0007=fake-llama", "llama=fake\u00a0llama"})
  void aModelAliasWithSpacesOrControlCharactersIsOneLineAndExitCode2(String alias) {
    StringWriter err = new StringWriter();
    CommandLine commandLine = Main.commandLine();
    commandLine.setErr(new PrintWriter(err));

    int code = commandLine.execute("bridge", "--model-alias", alias);

    assertThat(code).isEqualTo(2);
    assertThat(err.toString()).contains("a model name has no '=', spaces or control characters");
    assertThat(err.toString().strip().lines()).hasSize(1);
  }

  @Test
  void aCacheDirThatIsARegularFileIsOneLineAndExitCode2() throws Exception {
    Path file = Files.writeString(workDir.resolve("not-a-directory"), "x");
    Path log = workDir.resolve("bridge.log");
    Process bridge = new ProcessBuilder(
        javaBinary(), "-cp", System.getProperty("java.class.path"), Main.class.getName(), "bridge",
        "-l", "127.0.0.1:0", "--enable-cache", "--cache-dir", file.toString())
        .redirectErrorStream(true)
        .redirectOutput(log.toFile())
        .start();
    boolean exited;
    try {
      exited = bridge.waitFor(30, TimeUnit.SECONDS);
    } finally {
      bridge.destroyForcibly();
    }
    String output = Files.readString(log);

    assertThat(exited).isTrue();
    assertThat(bridge.exitValue()).isEqualTo(2);
    assertThat(output.strip().lines()).hasSize(1);
    assertThat(output).contains("--cache-dir").contains(file.toString()).contains("not a directory");
  }

  private static void awaitHealthy(String url, Process process) throws Exception {
    Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
    while (Instant.now().isBefore(deadline)) {
      assertThat(process.isAlive()).as("the bridge process is running").isTrue();
      try (Response response = TestBridges.execute(new Request.Builder().url(url).build())) {
        if (response.code() == 200) {
          return;
        }
      } catch (RuntimeException notYet) {
        // not listening yet
      }
      Thread.sleep(100);
    }
    throw new AssertionError("the bridge did not become healthy within 30 s");
  }

  private static String javaBinary() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

}
