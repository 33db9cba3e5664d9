package dev.ollamabridge.bridge;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ollamabridge.fake.FakeOllama;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A client that keeps its connection open sends its next request as soon as it has an answer:
 * the bridge must be ready to read it then, whether the answer came from the backend or the cache.
 */
class KeepAliveTest {

  private static final String CHAT = """
      {"model":"fake-llama","stream":false,"messages":[{"role":"user","content":"Say something."}]}""";

  @AutoClose private final FakeOllama backend = FakeOllama.start(FakeOllama.Options.defaults().withTokens(8));

  @Test
  void everyWholeAnswerArrivesOnOneConnection() throws IOException {
    BridgeServer bridge = TestBridges.inFrontOf(backend);
    try (Connection connection = new Connection(bridge.port())) {
      for (int i = 0; i < 5; i++) {
        assertThat(connection.post("/api/chat", CHAT)).as("answer %d", i + 1).contains("\"done\":true");
        assertThat(connection.post("/v1/chat/completions", CHAT)).as("answer %d", i + 1).contains("\"finish_reason\"");
      }
    } finally {
      TestBridges.close(bridge);
    }
  }

  @Test
  void cachedAnswersArriveOnOneConnectionToo(@TempDir Path cache) throws IOException {
    BridgeServer bridge = TestBridges.inFrontOf(backend, "--enable-cache", "--cache-dir", cache.toString());
    try (Connection connection = new Connection(bridge.port())) {
      String first = connection.post("/api/chat", CHAT);
      for (int i = 0; i < 5; i++) {
        assertThat(connection.post("/api/chat", CHAT)).as("hit %d", i + 1)
            .contains(TestBridges.json(first).path("message").path("content").asText());
      }
      assertThat(TestBridges.body(TestBridges.get(bridge, "/metrics"))).contains("bridge_cache_hits_total{tier=\"memory\"} 5.0");
    } finally {
      TestBridges.close(bridge);
    }
  }

  @Test
  void aWholeAnswerLargerThanTheServersBufferStillCarriesItsLength() throws IOException {
    try (FakeOllama verbose = FakeOllama.start(FakeOllama.Options.defaults().withTokens(20_000))) {
      BridgeServer bridge = TestBridges.inFrontOf(verbose);
      try (Connection connection = new Connection(bridge.port())) {
        String answer = connection.post("/api/chat", CHAT); // fails without a Content-Length

        assertThat(answer.length()).isGreaterThan(64 * 1024);
        assertThat(answer).contains("\"done\":true");
      } finally {
        TestBridges.close(bridge);
      }
    }
  }

  /** One HTTP/1.1 connection, used as a client that keeps it alive uses it: one request after another. */
  private static final class Connection implements AutoCloseable {
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    Connection(int port) throws IOException {
      socket = new Socket(InetAddress.getLoopbackAddress(), port);
      socket.setSoTimeout(10_000); // a request the bridge lost is never answered
      in = socket.getInputStream();
      out = socket.getOutputStream();
    }

    /** Sends one request and answers the body of its 200 answer. */
    String post(String path, String json) throws IOException {
      byte[] body = json.getBytes(StandardCharsets.UTF_8);
      out.write(("POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
          + "Content-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      out.write(body);
      out.flush();
      String head = head();
      assertThat(head).startsWith("HTTP/1.1 200");
      return new String(in.readNBytes(contentLength(head)), StandardCharsets.UTF_8);
    }

    private String head() throws IOException {
      ByteArrayOutputStream head = new ByteArrayOutputStream();
      while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
        int next = in.read();
        if (next < 0) {
          throw new IOException("the bridge closed the connection");
        }
        head.write(next);
      }
      return head.toString(StandardCharsets.US_ASCII);
    }

    private static int contentLength(String head) {
      for (String line : head.split("\r\n")) {
        if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
          return Integer.parseInt(line.substring("content-length:".length()).trim());
        }
      }
      throw new AssertionError("a whole answer without a Content-Length:\n" + head);
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }
}
