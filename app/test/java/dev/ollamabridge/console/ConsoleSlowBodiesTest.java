package dev.ollamabridge.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import okhttp3.FormBody;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Clients that announce a body and drip it a byte at a time (the slowloris attack) neither starve
 * the console nor hold a connection past its body deadline: the login page answers while they
 * drip, and each of them gets 408. {@link PackagedConsoleSlowBodiesTest} does the same to the jar
 * on a JDK with virtual threads.
 */
class ConsoleSlowBodiesTest {

  /** More than a console on Java 17 has threads (1024), each of which a dripping body used to hold. */
  static final int DRIPPING = 1100;

  @TempDir Path data;
  private ConsoleApp console;
  private DrippingBodies attack;

  @BeforeEach
  void start() {
    console = TestConsoles.start(data);
    attack = new DrippingBodies(console.port());
  }

  @AfterEach
  void stop() throws IOException {
    attack.close();
    console.close();
  }

  @Test
  void theLoginPageAndALoginAreServedWhileManyConnectionsDripTheirBodies() throws IOException {
    attack.openLogins(DRIPPING);

    assertLoginWorks(console.port(), Files.readString(data.resolve("admin-password")).strip());
  }

  @Test
  void aDrippingBodyIsRefusedWith408OnAPageAndInTheApi() throws IOException {
    Socket page = attack.open("/login", "application/x-www-form-urlencoded");
    Socket api = attack.open("/api/v1/instances", "application/json");

    String pageAnswer = DrippingBodies.answerOf(page);
    String apiAnswer = DrippingBodies.answerOf(api);

    assertThat(pageAnswer).startsWith("HTTP/1.1 408").contains("text/html", "did not arrive within 10 s");
    assertThat(apiAnswer).startsWith("HTTP/1.1 408").contains("application/json", "did not arrive within 10 s",
        "\"status\":408");
  }

  /** Soon, the login page answers and the admin can log in, each within a few seconds. */
  static void assertLoginWorks(int port, String password) {
    OkHttpClient client = new OkHttpClient.Builder().followRedirects(false).callTimeout(Duration.ofSeconds(5)).build();
    String url = "http://127.0.0.1:" + port + "/login";
    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).ignoreExceptions().untilAsserted(() -> {
      try (Response page = client.newCall(new Request.Builder().url(url).build()).execute();
          Response login = client.newCall(new Request.Builder().url(url).post(new FormBody.Builder()
              .add("user", "admin").add("password", password).add("next", "/").build()).build()).execute()) {
        assertThat(page.code()).isEqualTo(200);
        assertThat(page.body().string()).contains("Log in to the console");
        assertThat(login.code()).isEqualTo(303);
      }
    });
  }
}
