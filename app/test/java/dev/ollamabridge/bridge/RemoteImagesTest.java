package dev.ollamabridge.bridge;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Base64;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okhttp3.Headers;
import okhttp3.Response;
import okio.Buffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A remote image_url for an Ollama backend, which only takes images inline: fetched when allowed, refused otherwise. */
class RemoteImagesTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final byte[] PNG = {(byte) 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A, 1, 2, 3, 4, 5, 6, 7};

  private final MockWebServer server = new MockWebServer(); // the Ollama backend, and the site the image is on
  private BridgeServer bridge;

  @BeforeEach
  void start() throws Exception {
    server.start();
  }

  @AfterEach
  void stop() {
    bridge.close();
    server.close();
  }

  @Test
  void withTheFlagTheImageIsFetchedAndSentInline() throws Exception {
    server.enqueue(new MockResponse.Builder().headers(Headers.of("Content-Type", "image/png")).body(new Buffer().write(PNG)).build());
    server.enqueue(new MockResponse.Builder().addHeader("Content-Type", "application/json").body("""
        {"model":"m","message":{"role":"assistant","content":"A cat."},"done":true,"done_reason":"stop",\
        "prompt_eval_count":3,"eval_count":2}""").build());
    bridge = TestBridges.start("--ollama", base(), "--upstream-dialect", "ollama", "--fetch-image-urls");

    try (Response answer = TestBridges.post(bridge, "/v1/chat/completions", chatWithImage(server.url("/cat.png").toString()))) {
      assertThat(answer.code()).isEqualTo(200);
    }

    RecordedRequest image = server.takeRequest();
    RecordedRequest chat = server.takeRequest();
    assertThat(image.getUrl().encodedPath()).isEqualTo("/cat.png");
    JsonNode sent = JSON.readTree(chat.getBody().utf8());
    assertThat(sent.at("/messages/0/images/0").asText()).isEqualTo(Base64.getEncoder().encodeToString(PNG));
  }

  @Test
  void withoutTheFlagItIsA400SayingHowToSendTheImage() throws Exception {
    bridge = TestBridges.start("--ollama", base(), "--upstream-dialect", "ollama");

    try (Response answer = TestBridges.post(bridge, "/v1/chat/completions", chatWithImage("https://example.com/cat.png"))) {
      JsonNode error = JSON.readTree(answer.body().string()).path("error");
      assertThat(answer.code()).isEqualTo(400);
      assertThat(error.path("param").asText()).isEqualTo("messages");
      assertThat(error.path("message").asText()).contains("data: URL").contains("--fetch-image-urls");
    }
    assertThat(server.getRequestCount()).isZero();
  }

  private String base() {
    String url = server.url("/").toString();
    return url.substring(0, url.length() - 1);
  }

  private static String chatWithImage(String url) {
    return """
        {"model":"m","messages":[{"role":"user","content":[{"type":"text","text":"What is this?"},\
        {"type":"image_url","image_url":{"url":"%s"}}]}]}""".formatted(url);
  }
}
