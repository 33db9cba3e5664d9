package dev.ollamabridge.console;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every error the console answers is the API's JSON, whichever layer finds it. */
class ConsoleErrorsTest {

  @TempDir Path data;
  private ConsoleApp console;

  @BeforeEach
  void start() {
    console = TestConsoles.start(data);
  }

  @AfterEach
  void stop() {
    console.close();
  }

  @Test
  void aBodyTooLargeIsA413InJson() throws Exception {
    byte[] body = new byte[10 * 1024 * 1024];
    java.util.Arrays.fill(body, (byte) 'a');

    Raw answer = send("POST", "/api/v1/instances", body);

    assertThat(answer.status()).isEqualTo(413);
    assertThat(answer.json().path("error").asText()).contains("larger than 1024 KiB");
  }

  @Test
  void anUnknownPathIsA404InJson() throws Exception {
    Raw answer = send("GET", "/api/v1/nothing-here", null);

    assertThat(answer.status()).isEqualTo(404);
    assertThat(answer.json().path("error").asText()).contains("no route for GET /api/v1/nothing-here");
  }

  @Test
  void aWrongMethodIsA405InJson() throws Exception {
    Raw answer = send("PUT", "/api/v1/instances", "{}".getBytes(StandardCharsets.UTF_8));

    assertThat(answer.status()).isEqualTo(405);
    assertThat(answer.json().path("status").asInt()).isEqualTo(405);
  }

  @Test
  void aNulInThePathIsA400InJsonNotAnHtmlPage() throws Exception {
    Raw answer = send("GET", "/api/v1/instances/%00", null);

    assertThat(answer.status()).isEqualTo(400);
    assertThat(answer.json().path("status").asInt()).isEqualTo(400);
    assertThat(answer.text()).doesNotContain("<html");
  }

  @Test
  void aUrlTooLongIsA414InJson() throws Exception {
    Raw answer = send("GET", "/api/v1/instances?" + "x".repeat(20_000), null);

    assertThat(answer.status()).isEqualTo(414);
    assertThat(answer.json().path("status").asInt()).isEqualTo(414);
  }

  @Test
  void aBodyThatIsNotAnObjectIsA400InJson() throws Exception {
    Raw answer = send("POST", "/api/v1/instances", "[1,2]".getBytes(StandardCharsets.UTF_8));

    assertThat(answer.status()).isEqualTo(400);
    assertThat(answer.json().path("error").asText()).isEqualTo("the body must be a JSON object");
  }

  private record Raw(int status, String text) {
    JsonNode json() throws IOException {
      assertThat(text).as("a JSON body").startsWith("{");
      return new ObjectMapper().readTree(text);
    }
  }

  /** One request written by hand, so nothing on the way tidies the URL or the body. */
  private Raw send(String method, String target, byte[] body) throws IOException {
    try (Socket socket = new Socket("127.0.0.1", console.port())) {
      OutputStream out = socket.getOutputStream();
      String head = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
          + "Authorization: Bearer " + console.adminToken() + "\r\n"
          + (body == null ? "" : "Content-Type: application/json\r\nContent-Length: " + body.length + "\r\n") + "\r\n";
      out.write(head.getBytes(StandardCharsets.US_ASCII));
      try {
        if (body != null) {
          out.write(body);
        }
        out.flush();
      } catch (IOException closedEarly) {
        // the server may answer and close before it has read a body it refuses
      }
      InputStream in = socket.getInputStream();
      String response = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      int status = Integer.parseInt(response.substring(9, 12));
      String text = response.substring(response.indexOf("\r\n\r\n") + 4);
      if (response.toLowerCase().contains("transfer-encoding: chunked")) {
        text = text.substring(text.indexOf("\r\n") + 2);
      }
      return new Raw(status, text.strip());
    }
  }
}
