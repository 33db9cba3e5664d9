package dev.ollamabridge.console.alerts;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The two shapes an alert is posted in; text from outside cannot mention or link in Slack. */
class PayloadsTest {

  private final ObjectMapper json = new ObjectMapper();
  private final Alert alert = new Alert("instance_down", Alert.State.RESOLVED, "b<1>",
      "backend said <!channel> & <https://evil.example|click>", Instant.parse("2026-01-01T12:00:00Z"));

  @Test
  void theGenericShapeHasTheSixFieldsAsTheyAre() throws Exception {
    JsonNode body = json.readTree(Payloads.body(json, Webhook.GENERIC, alert, "console-1"));

    assertThat(body.properties()).extracting(java.util.Map.Entry::getKey)
        .containsExactly("alert", "state", "subject", "message", "at", "console");
    assertThat(body.path("state").asText()).isEqualTo("resolved");
    assertThat(body.path("message").asText()).contains("<!channel>");
    assertThat(body.path("at").asText()).isEqualTo("2026-01-01T12:00:00Z");
  }

  @Test
  void theSlackShapeEscapesWhatSlackReadsAsMarkup() throws Exception {
    JsonNode body = json.readTree(Payloads.body(json, Webhook.SLACK, alert, "console-1"));

    assertThat(body.path("text").asText()).contains("[resolved] instance_down · b&lt;1&gt;", "&lt;!channel&gt; &amp;")
        .doesNotContain("<");
    assertThat(body.at("/blocks/0/text/text").asText()).doesNotContain("<");
    assertThat(body.at("/blocks/1/elements/0/text").asText()).contains("console-1");
  }
}
