package dev.ollamabridge.bridge.datapath;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A client that reads a 100 MB answer slower than the backend writes it: the data path stops
 * reading the backend while the client cannot take more, so its buffers stay small and the backend
 * is held back, and every byte still arrives.
 */
class SlowClientTest {

  private static final long ANSWER_BYTES = 100L << 20;
  private static final long BUFFER_BOUND = 32L << 20;

  private final AtomicLong written = new AtomicLong();
  private final ExecutorService backendThreads = Executors.newFixedThreadPool(2);
  private final HttpServer backend = bigAnswers();

  @AfterEach
  void stopBackend() {
    backend.stop(0);
    backendThreads.shutdownNow();
  }

  /** A real HTTP server whose {@code GET /big} answers 100 MB with a Content-Length, counting what it has written. */
  private HttpServer bigAnswers() {
    try {
      HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
      server.setExecutor(backendThreads);
      server.createContext("/big", exchange -> {
        exchange.sendResponseHeaders(200, ANSWER_BYTES);
        byte[] block = new byte[64 * 1024];
        Arrays.fill(block, (byte) 'x');
        try (OutputStream out = exchange.getResponseBody()) {
          for (long sent = 0; sent < ANSWER_BYTES; sent += block.length) {
            out.write(block);
            written.addAndGet(block.length);
          }
        }
      });
      server.start();
      return server;
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void aSlowClientHoldsTheBackendBackAndTheBuffersStaySmall() throws Exception {
    URI upstream = URI.create("http://127.0.0.1:" + backend.getAddress().getPort());
    try (DataPathServer server = DataPathServer.start(DataPathTest.config(upstream, 2, 1 << 20, Duration.ofSeconds(30)),
        Forwarding.passThrough(), ErrorAnswers.openAiStyle());
        Socket client = new Socket()) {
      client.setReceiveBufferSize(64 * 1024);
      client.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.port()));
      client.setSoTimeout(60_000);
      client.getOutputStream().write("GET /big HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      InputStream in = client.getInputStream();
      long body = readHead(in);
      byte[] buffer = new byte[64 * 1024];
      long most = 0;
      while (body < ANSWER_BYTES) {
        if (body >= 1 << 20 && body < (1 << 20) + buffer.length) {
          // the client stops reading a while: the backend must come to a stop too, well short of the end
          AtomicLong last = new AtomicLong(-1);
          await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
              .until(() -> written.get() == last.getAndSet(written.get()));
          assertThat(written.get()).as("bytes the backend could write while the client read 1 MB").isLessThan(ANSWER_BYTES / 2);
          most = Math.max(most, server.bufferBytes());
        }
        int read = in.read(buffer);
        assertThat(read).as("the answer ended early, after %d bytes", body).isPositive();
        body += read;
        if (body % (4 << 20) < read) {
          most = Math.max(most, server.bufferBytes());
        }
      }
      assertThat(body).isEqualTo(ANSWER_BYTES);
      assertThat(most).as("bytes the data path's buffers held at most").isLessThan(BUFFER_BOUND);
      assertThat(server.upstreamConnectionsOpened()).isEqualTo(1);
    }
  }

  /** Reads the status line and headers; answers how many body bytes came with them. */
  private static long readHead(InputStream in) throws IOException {
    StringBuilder head = new StringBuilder();
    int b;
    while ((b = in.read()) >= 0) {
      head.append((char) b);
      if (head.length() >= 4 && head.lastIndexOf("\r\n\r\n") == head.length() - 4) {
        break;
      }
    }
    assertThat(head.toString()).startsWith("HTTP/1.1 200").containsIgnoringCase("content-length: " + ANSWER_BYTES);
    return 0;
  }
}
