package dev.ollamabridge.bridge.datapath;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A backend that closes a keep-alive connection just as the data path reuses it (the race every
 * proxy with an upstream pool meets): the request goes again on a new connection, and the client
 * never sees the break.
 */
class StaleUpstreamTest {

  private final ServerSocket listener;
  private final AtomicInteger connections = new AtomicInteger();
  private final Thread acceptor;

  StaleUpstreamTest() throws IOException {
    listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    acceptor = new Thread(this::serve, "one-answer backend");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  @AfterEach
  void stop() throws Exception {
    listener.close();
    acceptor.join(10_000);
  }

  /** Each connection answers its first request, keeps the connection open, and closes it unanswered on the second. */
  private void serve() {
    while (!listener.isClosed()) {
      try (Socket socket = listener.accept()) {
        connections.incrementAndGet();
        socket.setSoTimeout(30_000);
        InputStream in = socket.getInputStream();
        readRequest(in);
        byte[] body = "{\"answer\":true}".getBytes(StandardCharsets.UTF_8);
        OutputStream out = socket.getOutputStream();
        out.write(("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + body.length + "\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII));
        out.write(body);
        out.flush();
        readRequest(in); // the reuse: closed without an answer
      } catch (IOException closed) {
        // the listener closed, or the data path let go of the connection
      }
    }
  }

  /** Reads a request's head and its Content-Length body. */
  private static void readRequest(InputStream in) throws IOException {
    StringBuilder head = new StringBuilder();
    int b;
    while (head.indexOf("\r\n\r\n") < 0 && (b = in.read()) >= 0) {
      head.append((char) b);
    }
    int at = head.toString().toLowerCase().indexOf("content-length:");
    if (at >= 0) {
      int length = Integer.parseInt(head.substring(at + 15, head.indexOf("\r\n", at)).strip());
      in.readNBytes(length);
    }
  }

  @Test
  void aRequestOnAConnectionTheBackendClosedGoesAgainOnANewOne() throws Exception {
    URI upstream = URI.create("http://127.0.0.1:" + listener.getLocalPort());
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    try (DataPathServer server = DataPathServer.start(DataPathTest.config(upstream, 1, 1 << 20, Duration.ofSeconds(30)),
        Forwarding.passThrough(), ErrorAnswers.openAiStyle())) {
      for (int i = 0; i < 3; i++) {
        HttpResponse<String> answer = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/api/chat"))
            .timeout(Duration.ofSeconds(60)).POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"m\"}")).build(),
            HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).as("answer %d", i + 1).isEqualTo(200);
        assertThat(answer.body()).isEqualTo("{\"answer\":true}");
      }
      assertThat(connections.get()).as("backend connections for 3 answers").isEqualTo(3);
    }
  }
}
