package dev.ollamabridge.console.files;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ollamabridge.console.instances.BridgeLaunch;
import dev.ollamabridge.console.instances.Instance;
import dev.ollamabridge.fake.FakeOllama;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real supervisord, started with the generated supervisor.conf, runs every bridge in it. */
class SupervisordTest {

  @TempDir Path data;

  @Test
  void supervisordRunsEveryProgramAndEachAnswersHealth() throws Exception {
    try (FakeOllama backend = FakeOllama.start(FakeOllama.Options.defaults())) {
      List<Instance> instances = new ArrayList<>();
      for (String name : List.of("one", "two", "three")) {
        instances.add(new Instance(instances.size() + 1, name, "127.0.0.1", freePort(), backend.baseUrl(), "auto", 1,
            "primary", 2, 30, true, data.resolve("cache/" + name).toString(), false, null, List.of(), 0, true, true, true,
            1, Instant.now(), Instant.now()));
      }
      List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
      command.addAll(BridgeLaunch.JVM_FLAGS);
      command.addAll(List.of("-cp", System.getProperty("java.class.path"), "dev.ollamabridge.Main"));
      String conf = new GeneratedFiles().supervisor(new Snapshot(instances, GeneratedFilesTest.settings("least_conn"),
          Set.of(), Set.of(), data, command));
      Files.createDirectories(data.resolve("logs"));
      Files.writeString(data.resolve("supervisor.conf"), conf);
      Path main = data.resolve("supervisord.conf");
      Files.writeString(main, """
          [unix_http_server]
          file=%1$s/supervisor.sock
          [supervisord]
          logfile=%1$s/supervisord.log
          pidfile=%1$s/supervisord.pid
          nodaemon=true
          user=root
          [rpcinterface:supervisor]
          supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface
          [supervisorctl]
          serverurl=unix://%1$s/supervisor.sock
          [include]
          files=%1$s/supervisor.conf
          """.formatted(data));

      Process supervisord = new ProcessBuilder("supervisord", "-c", main.toString())
          .redirectErrorStream(true).redirectOutput(data.resolve("supervisord.out").toFile()).start();
      try {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250)).until(() -> {
          String status = supervisorctl(main, "status").output();
          return status.lines().filter(line -> line.contains(" RUNNING ")).count() == 3;
        });
        for (Instance instance : instances) {
          await().atMost(Duration.ofSeconds(30)).until(() -> health(instance.port()) == 200);
        }
        String status = supervisorctl(main, "status").output();
        assertThat(status).contains("ollama-bridges:ollama-bridge-one", "ollama-bridges:ollama-bridge-two",
            "ollama-bridges:ollama-bridge-three");
      } finally {
        supervisorctl(main, "shutdown");
        if (!supervisord.waitFor(30, TimeUnit.SECONDS)) {
          supervisord.destroyForcibly();
        }
      }
      for (Instance instance : instances) {
        assertThat(health(instance.port())).as("the bridges stop with supervisord").isZero();
      }
    }
  }

  private static GeneratedFilesTest.Outcome supervisorctl(Path main, String command) throws Exception {
    return GeneratedFilesTest.run(List.of("supervisorctl", "-c", main.toString(), command));
  }

  private static int health(int port) {
    try (Response response = new OkHttpClient().newCall(
        new Request.Builder().url("http://127.0.0.1:" + port + "/health").build()).execute()) {
      return response.code();
    } catch (IOException e) {
      return 0;
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
