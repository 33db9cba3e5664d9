package dev.ollamabridge.bridge;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ollamabridge.http.AddressPolicy;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okhttp3.Headers;
import okhttp3.Response;
import okio.Buffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A remote image_url for an Ollama backend, which only takes images inline: refused without
 * {@code --fetch-image-urls}; with it, fetched from public addresses only, within one budget per
 * request, and every failure answered with the same 400.
 */
class RemoteImagesTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final byte[] PNG = {(byte) 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A, 1, 2, 3, 4, 5, 6, 7};
  private static final String NOT_FETCHED = "an image_url could not be fetched";

  private final MockWebServer backend = new MockWebServer(); // the Ollama backend
  private final MockWebServer imageSite = new MockWebServer(); // stands in for a public site in the tests that allow it
  private final MockWebServer internal = new MockWebServer(); // a service only the bridge's machine can reach
  /** The addresses the bridge's policy refused, in the tests that watch it. */
  private final Set<InetSocketAddress> refused = ConcurrentHashMap.newKeySet();
  private BridgeServer bridge;

  @BeforeEach
  void start() throws Exception {
    backend.start();
    imageSite.start();
    internal.start();
    internal.enqueue(png(PNG)); // were it reached, it would answer a fine image
  }

  @AfterEach
  void stop() {
    try {
      TestBridges.close(bridge);
    } finally {
      backend.close();
      imageSite.close();
      internal.close();
    }
  }

  @Test
  void withTheFlagAnImageOnAnAllowedSiteIsFetchedAndSentInline() throws Exception {
    imageSite.enqueue(png(PNG));
    backend.enqueue(chatAnswer());
    bridge = TestBridges.startFetchingImagesFrom(theImageSiteOnly(), "--ollama", base(backend),
        "--upstream-dialect", "ollama", "--fetch-image-urls");

    try (Response answer = TestBridges.post(bridge, "/v1/chat/completions", chatWithImages(imageSite.url("/cat.png").toString()))) {
      assertThat(answer.code()).isEqualTo(200);
    }

    assertThat(imageSite.takeRequest().getUrl().encodedPath()).isEqualTo("/cat.png");
    JsonNode sent = JSON.readTree(backend.takeRequest().getBody().utf8());
    assertThat(sent.at("/messages/0/images/0").asText()).isEqualTo(Base64.getEncoder().encodeToString(PNG));
  }

  @Test
  void withoutTheFlagItIsA400SayingHowToSendTheImage() throws Exception {
    bridge = TestBridges.start("--ollama", base(backend), "--upstream-dialect", "ollama");

    try (Response answer = TestBridges.post(bridge, "/v1/chat/completions", chatWithImages("https://example.com/cat.png"))) {
      JsonNode error = JSON.readTree(answer.body().string()).path("error");
      assertThat(answer.code()).isEqualTo(400);
      assertThat(error.path("param").asText()).isEqualTo("messages");
      assertThat(error.path("message").asText()).contains("data: URL").contains("--fetch-image-urls");
    }
    assertThat(backend.getRequestCount()).isZero();
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"127.0.0.1", "localhost", "2130706433", "127.1", "[::1]", "0.0.0.0", "[::ffff:127.0.0.1]"})
  void aLoopbackServiceIsNeverConnectedTo(String host) {
    bridge = TestBridges.start("--ollama", base(backend), "--upstream-dialect", "ollama", "--fetch-image-urls");

    String message = refusal(chatWithImages("http://" + host + ":" + internal.getPort() + "/secret.png"));

    assertThat(message).startsWith(NOT_FETCHED);
    assertThat(internal.getRequestCount()).isZero();
    assertThat(backend.getRequestCount()).isZero();
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"169.254.169.254", "10.0.0.1", "172.16.0.1", "192.168.1.1", "100.64.0.1", "224.0.0.1",
      "[fd00::1]", "[fe80::1]", "[64:ff9b::a00:1]"})
  void aPrivateLinkLocalOrMulticastAddressIsRefusedBeforeAnyConnection(String host) throws Exception {
    bridge = TestBridges.startFetchingImagesFrom(watched(AddressPolicy.PUBLIC_ONLY), "--ollama", base(backend),
        "--upstream-dialect", "ollama", "--fetch-image-urls");

    String message = refusal(chatWithImages("http://" + host + "/latest/meta-data/"));

    assertThat(message).startsWith(NOT_FETCHED);
    assertThat(refused).extracting(InetSocketAddress::getAddress)
        .containsExactly(InetAddress.getByName(host.replace("[", "").replace("]", ""))); // a literal: no lookup
  }

  @Test
  void aRedirectFromAnAllowedSiteToALoopbackServiceIsNotFollowedThere() {
    imageSite.enqueue(new MockResponse.Builder().code(302)
        .addHeader("Location", "http://127.0.0.1:" + internal.getPort() + "/secret.png").build());
    bridge = TestBridges.startFetchingImagesFrom(theImageSiteOnly(), "--ollama", base(backend),
        "--upstream-dialect", "ollama", "--fetch-image-urls");

    String message = refusal(chatWithImages(imageSite.url("/cat.png").toString()));

    assertThat(message).startsWith(NOT_FETCHED);
    assertThat(imageSite.getRequestCount()).isEqualTo(1);
    assertThat(internal.getRequestCount()).isZero();
  }

  @Test
  void aRedirectToTheCloudMetadataAddressIsRefusedBeforeAnyConnection() {
    imageSite.enqueue(new MockResponse.Builder().code(307)
        .addHeader("Location", "http://169.254.169.254/latest/meta-data/iam/").build());
    bridge = TestBridges.startFetchingImagesFrom(watched(theImageSiteOnly()), "--ollama", base(backend),
        "--upstream-dialect", "ollama", "--fetch-image-urls");

    String message = refusal(chatWithImages(imageSite.url("/cat.png").toString()));

    assertThat(message).startsWith(NOT_FETCHED);
    assertThat(refused).extracting(address -> address.getAddress().getHostAddress()).containsExactly("169.254.169.254");
  }

  @Test
  void everyFailureIsTheSameAnswerThatTellsNothingAboutTheTarget() throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    imageSite.enqueue(new MockResponse.Builder().code(404).addHeader("Content-Type", "image/png").build());
    imageSite.enqueue(new MockResponse.Builder().addHeader("Content-Type", "application/x-internal-admin").body("{}").build());
    // this test's policy allows every loopback port, so that a closed one is tried
    bridge = TestBridges.startFetchingImagesFrom(address -> address.getAddress().isLoopbackAddress(), "--ollama",
        base(backend), "--upstream-dialect", "ollama", "--fetch-image-urls");

    List<String> messages = new ArrayList<>();
    messages.add(refusal(chatWithImages(imageSite.url("/missing.png").toString())));
    messages.add(refusal(chatWithImages(imageSite.url("/admin").toString())));
    messages.add(refusal(chatWithImages("http://127.0.0.1:" + closedPort + "/cat.png")));
    messages.add(refusal(chatWithImages("http://169.254.169.254/latest/meta-data/")));

    assertThat(Set.copyOf(messages)).singleElement().asString().startsWith(NOT_FETCHED)
        .doesNotContain("404", "x-internal-admin", "127.0.0.1", "169.254", Integer.toString(closedPort), "refused");
  }

  @Test
  void theImagesOfOneRequestShareOneSizeBudget() {
    byte[] twoMebibytes = new byte[2 * 1024 * 1024];
    for (int i = 0; i < 12; i++) {
      imageSite.enqueue(png(twoMebibytes));
    }
    bridge = TestBridges.startFetchingImagesFrom(theImageSiteOnly(), "--ollama", base(backend),
        "--upstream-dialect", "ollama", "--fetch-image-urls");
    String[] urls = new String[12];
    for (int i = 0; i < urls.length; i++) {
      urls[i] = imageSite.url("/" + i + ".png").toString();
    }

    String message = refusal(chatWithImages(urls));

    assertThat(message).startsWith(NOT_FETCHED).contains(RemoteImages.MAX_BYTES / 1024 / 1024 + " MiB");
    assertThat(imageSite.getRequestCount()).isEqualTo((int) (RemoteImages.MAX_BYTES / twoMebibytes.length) + 1);
    assertThat(backend.getRequestCount()).isZero();
  }

  /** Public addresses, and this test's image site on loopback (on its own port only). */
  private AddressPolicy theImageSiteOnly() {
    return address -> AddressPolicy.PUBLIC_ONLY.allows(address)
        || address.getAddress().isLoopbackAddress() && address.getPort() == imageSite.getPort();
  }

  /** The policy, noting every address it refuses. */
  private AddressPolicy watched(AddressPolicy policy) {
    return address -> {
      boolean allowed = policy.allows(address);
      if (!allowed) {
        refused.add(address);
      }
      return allowed;
    };
  }

  private String refusal(String chat) {
    try (Response answer = TestBridges.post(bridge, "/v1/chat/completions", chat)) {
      JsonNode error = JSON.readTree(answer.body().string()).path("error");
      assertThat(answer.code()).isEqualTo(400);
      assertThat(error.path("param").asText()).isEqualTo("messages");
      return error.path("message").asText();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static MockResponse png(byte[] bytes) {
    return new MockResponse.Builder().headers(Headers.of("Content-Type", "image/png")).body(new Buffer().write(bytes)).build();
  }

  private static MockResponse chatAnswer() {
    return new MockResponse.Builder().addHeader("Content-Type", "application/json").body("""
        {"model":"m","message":{"role":"assistant","content":"A cat."},"done":true,"done_reason":"stop",\
        "prompt_eval_count":3,"eval_count":2}""").build();
  }

  private static String base(MockWebServer server) {
    String url = server.url("/").toString();
    return url.substring(0, url.length() - 1);
  }

  private static String chatWithImages(String... urls) {
    StringBuilder content = new StringBuilder("{\"type\":\"text\",\"text\":\"What is this?\"}");
    for (String url : urls) {
      content.append(",{\"type\":\"image_url\",\"image_url\":{\"url\":\"").append(url).append("\"}}");
    }
    return "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":[" + content + "]}]}";
  }
}
