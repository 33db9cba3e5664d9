package dev.ollamabridge.bridge.cache;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ollamabridge.bridge.translate.Answer;
import dev.ollamabridge.bridge.translate.Json;
import dev.ollamabridge.bridge.translate.LogprobJson;
import dev.ollamabridge.bridge.translate.Usage;
import java.util.List;
import java.util.Optional;

/**
 * One entry's JSON, the same in a cache file and in Redis: {@code {"key", "created_ms", "answer":
 * {"content", "reasoning", "finish_reason", "prompt_tokens", "completion_tokens", "reasoning_tokens"?,
 * "logprobs"?}}}. An entry read back names its own key, so a file or value put under another key is
 * not served for this one. {@code reasoning_tokens} is written only when there are some, and
 * {@code logprobs} (in OpenAI chat's entry shape) only when the answer has them; an entry written
 * before either was kept reads as an answer without them.
 */
final class CacheEntries {

  /** An entry as stored: the answer and when it was first stored. */
  record Stored(Answer answer, long createdMillis) {}

  private CacheEntries() {}

  static byte[] json(String key, Stored entry) {
    ObjectNode node = Json.object().put("key", key).put("created_ms", entry.createdMillis());
    Answer answer = entry.answer();
    ObjectNode stored = node.putObject("answer")
        .put("content", answer.content())
        .put("reasoning", answer.reasoning())
        .put("finish_reason", answer.finishReason())
        .put("prompt_tokens", answer.usage().promptTokens())
        .put("completion_tokens", answer.usage().completionTokens());
    if (answer.usage().reasoningTokens() > 0) {
      stored.put("reasoning_tokens", answer.usage().reasoningTokens());
    }
    if (!answer.logprobs().isEmpty()) {
      stored.set("logprobs", LogprobJson.write(answer.logprobs(), true));
    }
    return Json.bytes(node);
  }

  /** The entry {@code node} holds for {@code key}, or empty when it is not one (another key, no content). */
  static Optional<Stored> read(String key, JsonNode node) {
    JsonNode answer = node == null ? null : node.path("answer");
    if (answer == null || !key.equals(node.path("key").asText()) || !answer.path("content").isTextual()) {
      return Optional.empty();
    }
    return Optional.of(new Stored(
        new Answer(
            answer.path("content").asText(),
            answer.path("reasoning").asText(""),
            answer.path("finish_reason").asText("stop"),
            usage(answer),
            List.of(),
            LogprobJson.read(answer.path("logprobs"))),
        node.path("created_ms").asLong(0)));
  }

  /** The counts; a reasoning part beyond the whole is not believed past it. */
  private static Usage usage(JsonNode answer) {
    long completion = answer.path("completion_tokens").asLong(0);
    long reasoning = Math.max(0, Math.min(answer.path("reasoning_tokens").asLong(0), completion));
    return new Usage(answer.path("prompt_tokens").asLong(0), completion, reasoning);
  }
}
