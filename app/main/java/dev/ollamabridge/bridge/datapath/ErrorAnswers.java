package dev.ollamabridge.bridge.datapath;

import dev.ollamabridge.bridge.translate.Json;

/**
 * The body of an error the data path answers by itself (413, 408, 502 …), which the bridge writes
 * in the dialect of the request's route. Runs on the event loop: it must not block.
 */
@FunctionalInterface
public interface ErrorAnswers {

  /** @param code a machine code such as {@code body_too_large} */
  byte[] body(String path, int status, String message, String code);

  /** OpenAI's error document, for tests and for paths of no dialect. */
  static ErrorAnswers openAiStyle() {
    return (path, status, message, code) -> {
      var body = Json.object();
      body.putObject("error").put("message", message).put("code", code);
      return Json.bytes(body);
    };
  }
}
