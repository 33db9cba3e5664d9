package dev.ollamabridge.bridge;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ollamabridge.fake.FakeOllama;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Clients that announce a body and never send it neither starve the bridge nor hold it forever. */
class SlowBodiesTest {

  private static final String HEADERS_WITHOUT_BODY =
      "POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n";
  /** More than a Java 17 bridge has threads. */
  private static final int SLOW_SOCKETS = 1100;

  private final FakeOllama backend = FakeOllama.start(FakeOllama.Options.defaults().withTokens(4));
  private final List<Socket> sockets = new ArrayList<>();
  private BridgeServer bridge;

  @AfterEach
  void stop() throws IOException {
    for (Socket socket : sockets) {
      socket.close();
    }
    TestBridges.close(bridge);
    backend.close();
  }

  @Test
  void probesAndRequestsAreServedWhileManySocketsHoldBackTheirBodies() throws IOException {
    bridge = TestBridges.inFrontOf(backend, "--body-timeout", "120000");
    for (int i = 0; i < SLOW_SOCKETS; i++) {
      sockets.add(slowSocket("/v1/chat/completions"));
    }
    // a bound for a hang only: the proof that the answers did not wait for the slow sockets is that
    // every one of them is still held when they came (the bridge closes idle ones after 30 s)
    OkHttpClient client = TestBridges.HTTP.newBuilder().callTimeout(Duration.ofSeconds(60)).build();

    try (Response health = client.newCall(new Request.Builder().url(TestBridges.url(bridge, "/health")).build()).execute()) {
      assertThat(health.code()).as("the first probe: " + health.body().string()).isEqualTo(200);
    }
    try (Response chat = client.newCall(new Request.Builder().url(TestBridges.url(bridge, "/api/chat"))
        .post(okhttp3.RequestBody.create("""
            {"model":"fake-llama","stream":false,"messages":[{"role":"user","content":"Hi"}]}""",
            okhttp3.MediaType.get("application/json"))).build()).execute()) {
      String answer = chat.body().string();
      assertThat(chat.code()).as("the first chat: " + answer).isEqualTo(200);
      assertThat(TestBridges.json(answer).at("/message/content").asText()).isNotBlank();
    }

    assertThat(sockets).as("the slow sockets, all still waiting: none was answered or dropped to make room")
        .allMatch(SlowBodiesTest::stillWaiting);
  }

  @Test
  void aBodyThatDoesNotArriveInTimeIs408InTheRoutesDialect() throws IOException {
    bridge = TestBridges.inFrontOf(backend, "--body-timeout", "500");

    String openAi = responseOf(slowSocket("/v1/chat/completions"));
    String ollama = responseOf(slowSocket("/api/chat"));

    assertThat(openAi).startsWith("HTTP/1.1 408");
    assertThat(TestBridges.json(bodyOf(openAi)).at("/error/message").asText()).contains("500 ms");
    assertThat(ollama).startsWith("HTTP/1.1 408");
    assertThat(TestBridges.json(bodyOf(ollama)).path("error").asText()).contains("--body-timeout");
    assertThat(backend.stats().requests()).isZero();
  }

  /** A socket that sent a request's headers, promising a body of 1000 bytes, and the first few. */
  private Socket slowSocket(String path) throws IOException {
    Socket socket = new Socket();
    socket.connect(new InetSocketAddress("127.0.0.1", bridge.port()), 10_000);
    OutputStream out = socket.getOutputStream();
    out.write(HEADERS_WITHOUT_BODY.formatted(path).getBytes(StandardCharsets.US_ASCII));
    out.write("{\"model\":".getBytes(StandardCharsets.US_ASCII));
    out.flush();
    return socket;
  }

  private String responseOf(Socket socket) throws IOException {
    sockets.add(socket);
    socket.setSoTimeout(20_000);
    InputStream in = socket.getInputStream();
    return new String(in.readAllBytes(), StandardCharsets.UTF_8);
  }

  /** Whether the bridge has neither answered nor closed this socket. */
  private static boolean stillWaiting(Socket socket) {
    try {
      socket.setSoTimeout(1);
      socket.getInputStream().read();
      return false; // an answer, or the end of the stream
    } catch (java.net.SocketTimeoutException nothingYet) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static String bodyOf(String response) {
    return response.substring(response.indexOf("\r\n\r\n") + 4);
  }
}
