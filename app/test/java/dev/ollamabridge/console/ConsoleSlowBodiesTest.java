package dev.ollamabridge.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
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
 * drip, and each of them gets 408.
 */
class ConsoleSlowBodiesTest {

  private static final String HEADERS = "POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\n"
      + "Content-Type: %s\r\nContent-Length: 100000\r\n\r\n";
  /** More than a console on Java 17 has threads (1024), each of which a dripping body used to hold. */
  private static final int DRIPPING = 1100;

  @TempDir Path data;
  private ConsoleApp console;
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();
  private final ScheduledExecutorService drip = Executors.newSingleThreadScheduledExecutor();

  @BeforeEach
  void start() {
    console = TestConsoles.start(data);
    // a byte a second on every socket: never idle long enough for the server's idle timeout
    drip.scheduleWithFixedDelay(() -> sockets.forEach(ConsoleSlowBodiesTest::dripOneByte), 1, 1, TimeUnit.SECONDS);
  }

  @AfterEach
  void stop() throws IOException {
    drip.shutdownNow();
    for (Socket socket : sockets) {
      socket.close();
    }
    console.close();
  }

  @Test
  void theLoginPageAndALoginAreServedWhileManyConnectionsDripTheirBodies() throws IOException {
    for (int i = 0; i < DRIPPING; i++) {
      sockets.add(dripping("/login", "application/x-www-form-urlencoded"));
    }
    OkHttpClient client = new OkHttpClient.Builder().followRedirects(false).callTimeout(Duration.ofSeconds(5)).build();
    String password = Files.readString(data.resolve("admin-password")).strip();

    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).ignoreExceptions().untilAsserted(() -> {
      try (Response page = client.newCall(new Request.Builder().url(url("/login")).build()).execute();
          Response login = client.newCall(new Request.Builder().url(url("/login")).post(new FormBody.Builder()
              .add("user", "admin").add("password", password).add("next", "/").build()).build()).execute()) {
        assertThat(page.code()).isEqualTo(200);
        assertThat(page.body().string()).contains("Log in to the console");
        assertThat(login.code()).isEqualTo(303);
      }
    });
  }

  @Test
  void aDrippingBodyIsRefusedWith408OnAPageAndInTheApi() throws IOException {
    Socket page = dripping("/login", "application/x-www-form-urlencoded");
    Socket api = dripping("/api/v1/instances", "application/json");
    sockets.add(page);
    sockets.add(api);

    String pageAnswer = answerOf(page);
    String apiAnswer = answerOf(api);

    assertThat(pageAnswer).startsWith("HTTP/1.1 408").contains("text/html", "did not arrive within 10 s");
    assertThat(apiAnswer).startsWith("HTTP/1.1 408").contains("application/json", "did not arrive within 10 s",
        "\"status\":408");
  }

  /** A socket that sent a request's headers, promising a body of 100,000 bytes, and its first bytes. */
  private Socket dripping(String path, String contentType) throws IOException {
    Socket socket = new Socket();
    socket.connect(new InetSocketAddress("127.0.0.1", console.port()), 10_000);
    OutputStream out = socket.getOutputStream();
    out.write(HEADERS.formatted(path, contentType).getBytes(StandardCharsets.US_ASCII));
    out.write("user=admin&password=".getBytes(StandardCharsets.US_ASCII));
    out.flush();
    return socket;
  }

  private static void dripOneByte(Socket socket) {
    try {
      socket.getOutputStream().write('a');
      socket.getOutputStream().flush();
    } catch (IOException answeredOrClosed) {
      // the console gave up on this one: nothing more to send
    }
  }

  /** All the console sends back, up to its closing the connection. */
  private static String answerOf(Socket socket) throws IOException {
    socket.setSoTimeout(60_000);
    InputStream in = socket.getInputStream();
    return new String(in.readAllBytes(), StandardCharsets.UTF_8);
  }

  private String url(String path) {
    return "http://127.0.0.1:" + console.port() + path;
  }
}
