package dev.ollamabridge.bridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import okhttp3.Call;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A client that goes away before its answer has begun ends the upstream call, streamed or not:
 * a model does not go on generating for nobody.
 */
class ClientDisconnectTest {

  private final SilentUpstream upstream = SilentUpstream.start();
  private BridgeServer bridge;

  @AfterEach
  void stop() throws IOException {
    TestBridges.close(bridge);
    upstream.close();
  }

  @ParameterizedTest(name = "stream {0}")
  @ValueSource(booleans = {false, true})
  void aClientThatLeavesBeforeItsAnswerCancelsTheUpstreamCall(boolean stream) {
    bridge = TestBridges.start("--ollama", upstream.baseUrl());
    Call call = TestBridges.postInBackground(bridge, "/api/chat", """
        {"model":"m","stream":%s,"messages":[{"role":"user","content":"think for a long time"}]}""".formatted(stream));
    await().atMost(Duration.ofSeconds(10)).until(() -> upstream.requestReceived.getCount() == 0);

    call.cancel();

    await().atMost(Duration.ofSeconds(10)).until(() -> upstream.hungUp.getCount() == 0);
    await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
        assertThat(TestBridges.body(TestBridges.get(bridge, "/metrics"))).contains("bridge_client_disconnects_total 1.0"));
  }

  /** An upstream that takes one request, never answers, and notes when its caller hangs up. */
  private static final class SilentUpstream implements AutoCloseable {
    private final ServerSocket server;
    final CountDownLatch requestReceived = new CountDownLatch(1);
    final CountDownLatch hungUp = new CountDownLatch(1);

    private SilentUpstream(ServerSocket server) {
      this.server = server;
      Thread listener = new Thread(this::serveOne, "silent-upstream");
      listener.setDaemon(true);
      listener.start();
    }

    static SilentUpstream start() {
      try {
        return new SilentUpstream(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()));
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }

    String baseUrl() {
      return "http://127.0.0.1:" + server.getLocalPort();
    }

    private void serveOne() {
      try (Socket socket = server.accept()) {
        InputStream in = socket.getInputStream();
        byte[] buffer = new byte[8192];
        while (in.read(buffer) >= 0) {
          requestReceived.countDown();
        }
        hungUp.countDown();
      } catch (IOException e) {
        hungUp.countDown(); // a reset is a hang-up too
      }
    }

    @Override
    public void close() throws IOException {
      server.close();
    }
  }
}
