package dev.ollamabridge.bridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A client that stops reading a streamed chat the bridge translates (Ollama lines in, OpenAI events
 * out): the bridge stops reading the backend while the client takes no more, so the backend is held
 * back and the bridge's buffers stay small, however long the answer.
 */
class SlowReaderTest {

  /** The most the backend would send: far more than any buffer on the way may hold. */
  private static final long ANSWER_BYTES = 200L << 20;
  private static final long BUFFER_BOUND = 32L << 20;
  private static final byte[] LINE = "{\"model\":\"m\",\"created_at\":\"2026-12-07T00:00:00Z\",\"message\":{\"role\":\"assistant\",\"content\":\"word \"},\"done\":false}\n"
      .getBytes(StandardCharsets.UTF_8);

  private final AtomicLong written = new AtomicLong();
  private final ExecutorService backendThreads = Executors.newFixedThreadPool(2);
  private final HttpServer backend = endlessChat();
  private BridgeServer bridge;

  @AfterEach
  void stop() {
    TestBridges.close(bridge);
    backend.stop(0);
    backendThreads.shutdownNow();
  }

  /** A backend whose {@code /api/chat} streams NDJSON lines until 200 MB or until the bridge hangs up, counting them. */
  private HttpServer endlessChat() {
    try {
      HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
      server.setExecutor(backendThreads);
      server.createContext("/api/chat", exchange -> {
        exchange.getRequestBody().readAllBytes();
        exchange.getResponseHeaders().set("Content-Type", "application/x-ndjson");
        exchange.sendResponseHeaders(200, 0);
        byte[] block = new byte[LINE.length * 512];
        for (int i = 0; i < 512; i++) {
          System.arraycopy(LINE, 0, block, i * LINE.length, LINE.length);
        }
        try (OutputStream out = exchange.getResponseBody()) {
          while (written.get() < ANSWER_BYTES) {
            out.write(block);
            written.addAndGet(block.length);
          }
        } catch (IOException hungUp) {
          // the bridge closed the connection: the client left
        }
      });
      server.start();
      return server;
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void aClientThatStopsReadingHoldsTheBackendBackAndTheBuffersStaySmall() throws Exception {
    bridge = TestBridges.start("--ollama", "http://127.0.0.1:" + backend.getAddress().getPort(), "--upstream-dialect", "ollama");
    try (Socket client = new Socket()) {
      client.setReceiveBufferSize(64 * 1024);
      client.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), bridge.port()));
      client.setSoTimeout(60_000);
      byte[] chat = "{\"model\":\"m\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"go on\"}]}"
          .getBytes(StandardCharsets.UTF_8);
      OutputStream out = client.getOutputStream();
      out.write(("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: "
          + chat.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      out.write(chat);
      InputStream in = client.getInputStream();
      byte[] buffer = new byte[64 * 1024];
      long read = 0;
      while (read < 1 << 20) {
        int n = in.read(buffer);
        assertThat(n).as("the answer ended early, after %d bytes", read).isPositive();
        read += n;
      }
      String start = new String(buffer, 0, Math.min(200, buffer.length), StandardCharsets.UTF_8);
      assertThat(start).contains("data: ");

      // the client reads no more: the backend must come to a stop, far short of its end
      AtomicLong last = new AtomicLong(-1);
      await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
          .until(() -> written.get() == last.getAndSet(written.get()));
      assertThat(written.get()).as("bytes the backend could send while the client read 1 MB").isLessThan(ANSWER_BYTES / 4);
      assertThat(bridge.bufferBytes()).as("bytes the bridge's buffers hold").isLessThan(BUFFER_BOUND);

      // reading again, the answer goes on
      long before = written.get();
      for (long more = 0; more < 4 << 20; ) {
        int n = in.read(buffer);
        assertThat(n).isPositive();
        more += n;
      }
      await().atMost(Duration.ofSeconds(60)).until(() -> written.get() > before);
    }
  }
}
