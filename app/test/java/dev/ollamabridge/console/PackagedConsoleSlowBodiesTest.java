package dev.ollamabridge.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

import dev.ollamabridge.console.jdk.Jdk;
import dev.ollamabridge.console.jdk.JdkSearch;
import dev.ollamabridge.testing.TestPorts;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The slowloris attack of {@link ConsoleSlowBodiesTest} on the packaged console running on the
 * newest JDK of this machine (21 or later: requests on virtual threads, so the old console still
 * answered there, but held every dripping connection for as long as it dripped).
 */
@Tag("packaged")
class PackagedConsoleSlowBodiesTest {

  private static final Path JAR = Path.of("target", "ollama-bridge.jar");

  @TempDir Path data;
  private Process console;
  private DrippingBodies attack;

  @AfterEach
  void stop() throws Exception {
    if (attack != null) {
      attack.close();
    }
    if (console != null) {
      console.destroy();
      if (!console.waitFor(30, TimeUnit.SECONDS)) {
        console.destroyForcibly().waitFor();
      }
    }
  }

  @Test
  void onTheNewestJdkDrippingBodiesGet408AndTheLoginPageAnswers() throws Exception {
    assertThat(JAR).as("mvn verify builds the jar before this test").isRegularFile();
    Optional<Jdk> newest = JdkSearch.ofThisMachine().found().stream()
        .filter(jdk -> jdk.feature() >= JdkSearch.PREFERRED).max(Comparator.comparingInt(Jdk::feature));
    assumeThat(newest).as("a JDK %d or later on this machine", JdkSearch.PREFERRED).isPresent();
    int port = TestPorts.listenPort();
    console = new ProcessBuilder(newest.get().java().toString(), "-jar", JAR.toAbsolutePath().toString(), "console",
        "--data", data.resolve("console").toString(), "--listen", "127.0.0.1:" + port, "--nginx-mode", "off")
        .redirectErrorStream(true).redirectOutput(data.resolve("console.log").toFile()).start();
    awaitLoginPage(port);
    attack = new DrippingBodies(port);

    Socket first = attack.open("/login", "application/x-www-form-urlencoded");
    attack.openLogins(ConsoleSlowBodiesTest.DRIPPING);

    ConsoleSlowBodiesTest.assertLoginWorks(port, Files.readString(data.resolve("console/admin-password")).strip());
    assertThat(DrippingBodies.answerOf(first)).as("answered and closed")
        .startsWith("HTTP/1.1 408").contains("did not arrive within 10 s");
  }

  private void awaitLoginPage(int port) {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    HttpRequest login = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/login"))
        .timeout(Duration.ofSeconds(5)).build();
    await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200)).ignoreExceptions().until(() -> {
      assertThat(console.isAlive()).as("the console is running; see %s", data.resolve("console.log")).isTrue();
      return http.send(login, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
    });
  }

}
