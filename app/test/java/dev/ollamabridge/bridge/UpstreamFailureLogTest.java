package dev.ollamabridge.bridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ollamabridge.Main;
import dev.ollamabridge.testing.TestPorts;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A backend's own words reach the bridge's log only as one escaped line: the bridge runs as its
 * command line starts it (the jar's logback.xml), in front of a backend that answers a status line
 * carrying markup meant for the console's log page.
 */
class UpstreamFailureLogTest {

  /** Markup in the protocol's name, the part of a bad status line an HTTP client quotes when it refuses it. */
  private static final String HOSTILE_STATUS_LINE = "XTTP/1.1<img/hidden/src=/static/favicon.svg/hx-post=/tokens/"
      + "hx-trigger=load> 200 OK";

  @TempDir Path workDir;

  @Test
  void aBadStatusLineWithMarkupIsLoggedAsOneEscapedLine() throws Exception {
    try (ServerSocket backend = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      Thread answering = new Thread(() -> answerEveryConnection(backend, HOSTILE_STATUS_LINE + "\r\n\r\n"));
      answering.setDaemon(true);
      answering.start();
      Path log = workDir.resolve("bridge.log");
      int port = TestPorts.listenPort();
      Process bridge = new ProcessBuilder(javaBinary(), "-cp", System.getProperty("java.class.path"), Main.class.getName(),
          "bridge", "-l", "127.0.0.1:" + port, "--ollama", "http://127.0.0.1:" + backend.getLocalPort())
          .redirectErrorStream(true)
          .redirectOutput(log.toFile())
          .start();
      try {
        String base = "http://127.0.0.1:" + port;
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> {
          try (Response ready = TestBridges.execute(new Request.Builder().url(base + "/").build())) {
            return ready.code() == 200;
          }
        });

        Response answer = TestBridges.execute(new Request.Builder().url(base + "/api/chat").post(okhttp3.RequestBody.create(
            "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", okhttp3.MediaType.get("application/json")))
            .build());
        assertThat(answer.code()).isEqualTo(502);
        assertThat(TestBridges.body(answer)).doesNotContain("<img").doesNotContain("XTTP");

        List<String> failure = await().atMost(Duration.ofSeconds(30)).until(
            () -> Files.readAllLines(log).stream().filter(line -> line.contains("XTTP")).toList(), lines -> !lines.isEmpty());
        assertThat(failure).singleElement().asString()
            .contains("WARN", "is unreachable", "not valid HTTP") // the client may quote it in capitals
            .containsIgnoringCase("XTTP/1.1\\u003cimg/hidden/src=/static/favicon.svg")
            .endsWithIgnoringCase("hx-trigger=load\\u003e");
        assertThat(Files.readString(log)).doesNotContainIgnoringCase("<img");
      } finally {
        bridge.destroy();
        bridge.waitFor();
      }
    }
  }

  /** Writes the same bytes to every connection, as soon as it is accepted, and hangs up. */
  private static void answerEveryConnection(ServerSocket server, String answer) {
    while (!server.isClosed()) {
      try (Socket connection = server.accept(); OutputStream out = connection.getOutputStream()) {
        out.write(answer.getBytes(StandardCharsets.UTF_8));
        out.flush();
      } catch (IOException closed) {
        // the test is over, or the bridge hung up first
      }
    }
  }

  private static String javaBinary() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

}
