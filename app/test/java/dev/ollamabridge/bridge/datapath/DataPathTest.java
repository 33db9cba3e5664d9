package dev.ollamabridge.bridge.datapath;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ollamabridge.fake.FakeOllama;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

/** The event-loop data path in front of the built-in fake backend, through real sockets. */
class DataPathTest {

  private static final String CHAT = """
      {"model":"fake-llama","stream":%s,"messages":[{"role":"user","content":"Say something."}]}""";

  @AutoClose private final FakeOllama backend = FakeOllama.start(FakeOllama.Options.defaults().withTokens(8));
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(30)).build();

  static DataPathConfig config(URI upstream, int loops, long maxBodyBytes, Duration bodyTimeout) {
    return config(upstream, loops, maxBodyBytes, bodyTimeout, Duration.ofSeconds(60));
  }

  static DataPathConfig config(URI upstream, int loops, long maxBodyBytes, Duration bodyTimeout, Duration idleTimeout) {
    return new DataPathConfig("127.0.0.1", 0, upstream, loops, 64, maxBodyBytes, bodyTimeout, Duration.ofSeconds(10),
        idleTimeout, Duration.ofSeconds(30));
  }

  private DataPathServer inFrontOf(FakeOllama fake, int loops) {
    return DataPathServer.start(config(URI.create(fake.baseUrl()), loops, 1 << 20, Duration.ofSeconds(30)),
        Forwarding.passThrough(), ErrorAnswers.openAiStyle());
  }

  private HttpResponse<String> post(DataPathServer server, String path, String body) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
        .timeout(Duration.ofSeconds(60)).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void answersComeThroughAndOneUpstreamConnectionServesThemOneAfterAnother() throws Exception {
    try (DataPathServer server = inFrontOf(backend, 1)) {
      for (int i = 0; i < 10; i++) {
        HttpResponse<String> whole = post(server, "/api/chat", CHAT.formatted(false));
        assertThat(whole.statusCode()).isEqualTo(200);
        assertThat(whole.body()).contains("\"done\":true");
        HttpResponse<String> streamed = post(server, "/v1/chat/completions", CHAT.formatted(true));
        assertThat(streamed.statusCode()).isEqualTo(200);
        assertThat(streamed.body()).contains("data: [DONE]");
      }
      assertThat(server.upstreamConnectionsOpened()).as("upstream connections opened for 20 exchanges").isEqualTo(1);
      assertThat(backend.stats().completed()).isEqualTo(20);
    }
  }

  @Test
  void aBodyOverTheLimitIsRefusedWith413OneThatDoesNotArriveWith408AndAnAbsoluteTargetWith400() throws Exception {
    DataPathConfig config = config(URI.create(backend.baseUrl()), 1, 1024, Duration.ofMillis(500));
    try (DataPathServer server = DataPathServer.start(config, Forwarding.passThrough(), ErrorAnswers.openAiStyle())) {
      HttpResponse<String> large = post(server, "/api/chat", "x".repeat(4096));
      assertThat(large.statusCode()).isEqualTo(413);
      assertThat(large.body()).contains("request_too_large");

      try (RawConnection connection = new RawConnection(server.port())) {
        connection.send("POST /api/chat HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"mod");
        String answer = connection.readAll();
        assertThat(answer).startsWith("HTTP/1.1 408").contains("request_timeout");
      }
      try (RawConnection connection = new RawConnection(server.port())) {
        connection.send("GET http://elsewhere.example/api/tags HTTP/1.1\r\nHost: elsewhere.example\r\n\r\n");
        assertThat(connection.readAll()).startsWith("HTTP/1.1 400").contains("bad_request");
      }
      assertThat(backend.stats().requests()).as("requests that reached the backend").isZero();
    }
  }

  @Test
  void idleConnectionsAreClosedOnBothSidesButAStreamThatWaitsIsNot() throws Exception {
    DataPathConfig config = config(URI.create(backend.baseUrl()), 1, 1 << 20, Duration.ofSeconds(30), Duration.ofMillis(300));
    try (FakeOllama thinking = FakeOllama.start(FakeOllama.Options.defaults().withTokens(2).withLatencyMs(1500));
        DataPathServer server = DataPathServer.start(config, Forwarding.passThrough(), ErrorAnswers.openAiStyle());
        DataPathServer slow = DataPathServer.start(config(URI.create(thinking.baseUrl()), 1, 1 << 20, Duration.ofSeconds(30),
            Duration.ofMillis(300)), Forwarding.passThrough(), ErrorAnswers.openAiStyle())) {
      try (RawConnection connection = new RawConnection(server.port())) {
        String body = CHAT.formatted(false);
        connection.send("POST /api/chat HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: "
            + body.length() + "\r\n\r\n" + body);
        assertThat(connection.readAll()).as("the answer, then the end of the idle connection").contains("\"done\":true");
      }
      await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(server.idleUpstreamConnections()).isZero());

      // a backend that takes 1.5 s, five idle timeouts, before its first byte: the exchange is not idle
      try (RawConnection connection = new RawConnection(slow.port())) {
        String body = CHAT.formatted(true);
        connection.send("POST /api/chat HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: "
            + body.length() + "\r\n\r\n" + body);
        assertThat(connection.readAll()).contains("\"done\":true");
      }
      assertThat(slow.cancelled()).isZero();
    }
  }

  @Test
  void aClientThatLeavesEndsTheBackendsWork() throws Exception {
    try (FakeOllama slow = FakeOllama.start(FakeOllama.Options.defaults().withTokens(10_000).withTokenRate(20));
        DataPathServer server = inFrontOf(slow, 1)) {
      try (RawConnection connection = new RawConnection(server.port())) {
        String body = CHAT.formatted(true);
        connection.send("POST /api/chat HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: "
            + body.length() + "\r\n\r\n" + body);
        assertThat(connection.readUntil("\"content\"")).startsWith("HTTP/1.1 200");
        assertThat(slow.stats().active()).isEqualTo(1);
      }
      await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
        assertThat(server.cancelled()).isEqualTo(1);
        assertThat(server.inFlight()).isZero();
        assertThat(slow.stats().active()).as("streams the backend still generates").isZero();
      });
    }
  }

  @Test
  void stoppingLetsAStreamUnderWayFinishAndRefusesNewConnections() throws Exception {
    try (FakeOllama paced = FakeOllama.start(FakeOllama.Options.defaults().withTokens(40).withTokenRate(20))) {
      DataPathServer server = inFrontOf(paced, 1);
      Thread stopping = new Thread(server::close, "stopping the data path");
      try (RawConnection connection = new RawConnection(server.port())) {
        String body = CHAT.formatted(true);
        connection.send("POST /api/chat HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: "
            + body.length() + "\r\n\r\n" + body);
        assertThat(connection.readUntil("\"content\"")).startsWith("HTTP/1.1 200");
        stopping.start();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(refuses(server.port())).isTrue());
        assertThat(connection.readAll()).as("the rest of the stream").contains("\"done\":true");
      } finally {
        stopping.join(60_000);
      }
      assertThat(stopping.isAlive()).isFalse();
      assertThat(server.cancelled()).isZero();
      assertThat(paced.stats().completed()).isEqualTo(1);
    }
  }

  private static boolean refuses(int port) {
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
      return false;
    } catch (IOException refused) {
      return true;
    }
  }

  @Test
  void aThousandStreamsAreOpenAtOnceAndEachGetsItsFirstToken() throws Exception {
    int streams = 1000;
    try (FakeOllama slow = FakeOllama.start(FakeOllama.Options.defaults().withTokens(600).withTokenRate(1));
        DataPathServer server = inFrontOf(slow, 2)) {
      HttpClient many = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(60)).build();
      FirstToken[] firsts = new FirstToken[streams];
      for (int i = 0; i < streams; i++) {
        firsts[i] = new FirstToken();
        many.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/api/chat"))
            .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(CHAT.formatted(true))).build(),
            HttpResponse.BodyHandlers.fromLineSubscriber(firsts[i]));
      }
      for (int i = 0; i < streams; i++) {
        assertThat(firsts[i].token.get(120, TimeUnit.SECONDS)).as("stream %d's first line", i).contains("\"content\"");
      }
      assertThat(server.inFlight()).as("streams open at once").isEqualTo(streams);
      for (FirstToken first : firsts) {
        first.leave();
      }
      await().atMost(Duration.ofSeconds(120)).untilAsserted(() -> {
        assertThat(server.inFlight()).isZero();
        assertThat(slow.stats().active()).isZero();
      });
    }
  }

  /** Completes with a stream's first line, then can leave the stream. */
  private static final class FirstToken implements java.util.concurrent.Flow.Subscriber<String> {
    final CompletableFuture<String> token = new CompletableFuture<>();
    private volatile java.util.concurrent.Flow.Subscription subscription;

    @Override
    public void onSubscribe(java.util.concurrent.Flow.Subscription subscription) {
      this.subscription = subscription;
      subscription.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(String line) {
      token.complete(line);
    }

    @Override
    public void onError(Throwable error) {
      token.completeExceptionally(error);
    }

    @Override
    public void onComplete() {
      token.completeExceptionally(new IOException("the stream ended"));
    }

    void leave() {
      subscription.cancel();
    }
  }

  /** One HTTP/1.1 connection written and read as bytes. */
  static final class RawConnection implements AutoCloseable {
    final Socket socket;
    private final StringBuilder seen = new StringBuilder();

    RawConnection(int port) throws IOException {
      socket = new Socket(InetAddress.getLoopbackAddress(), port);
      socket.setSoTimeout(60_000);
    }

    void send(String text) throws IOException {
      OutputStream out = socket.getOutputStream();
      out.write(text.getBytes(StandardCharsets.UTF_8));
      out.flush();
    }

    /** Reads until {@code marker} has arrived; answers all read so far. */
    String readUntil(String marker) throws IOException {
      InputStream in = socket.getInputStream();
      byte[] buffer = new byte[8192];
      while (seen.indexOf(marker) < 0) {
        int read = in.read(buffer);
        if (read < 0) {
          break;
        }
        seen.append(new String(buffer, 0, read, StandardCharsets.ISO_8859_1));
      }
      return seen.toString();
    }

    /** Reads until the server closes the connection. */
    String readAll() throws IOException {
      return readUntil("\u0000never");
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }
}
