package dev.ollamabridge.fake;

import com.fasterxml.jackson.databind.JsonNode;

/** Reads the text out of chat messages, which may hold a string or a list of typed parts. */
final class Prompts {

  private Prompts() {}

  /** The last user message's text: what the answer is derived from. */
  static String lastUserText(JsonNode messages) {
    String text = "";
    for (JsonNode message : messages) {
      if ("user".equals(message.path("role").asText())) {
        text = text(message.path("content"));
      }
    }
    return text;
  }

  /** Words across all messages, at least 1: the fake's prompt token count. */
  static int promptTokens(JsonNode messages) {
    int words = 0;
    for (JsonNode message : messages) {
      words += FakeAnswers.words(text(message.path("content")));
    }
    return Math.max(1, words);
  }

  /** Words across the given texts, at least 1. */
  static int promptTokens(String... texts) {
    int words = 0;
    for (String text : texts) {
      words += FakeAnswers.words(text);
    }
    return Math.max(1, words);
  }

  /** A string as is; OpenAI's {@code [{"type":"text","text":…}]} parts joined by spaces. */
  static String text(JsonNode content) {
    if (content.isTextual()) {
      return content.textValue();
    }
    if (content.isArray()) {
      StringBuilder text = new StringBuilder();
      for (JsonNode part : content) {
        String piece = part.isTextual() ? part.textValue() : part.path("text").asText("");
        if (!piece.isEmpty()) {
          text.append(text.length() == 0 ? "" : " ").append(piece);
        }
      }
      return text.toString();
    }
    return "";
  }
}
