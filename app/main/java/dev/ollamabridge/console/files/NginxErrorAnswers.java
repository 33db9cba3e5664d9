package dev.ollamabridge.console.files;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Locale;

/**
 * What nginx answers when it answers itself (no bridge could, the body is too large, the rate limit),
 * in the shape each dialect's clients parse: OpenAI's {@code {"error":{"message","type","param","code"}}}
 * and Ollama's {@code {"error":"…"}}, as the bridges write theirs. A client's SDK then shows the
 * reason instead of failing on nginx's HTML page.
 */
final class NginxErrorAnswers {

  private NginxErrorAnswers() {}

  /** The answers, by status, for the limits this configuration sets, without the client keys' refusals. */
  static List<NginxModel.ErrorAnswer> of(int maxBodyMb, int ratePerSecond, int burst, int readTimeoutSeconds) {
    return of(maxBodyMb, ratePerSecond, burst, readTimeoutSeconds, false);
  }

  /**
   * The answers, by status, for the limits this configuration sets; with {@code keyCheck}, also the
   * refusals of nginx's {@code auth_request} (a bridge's {@code /key-check} said no, and nginx, which
   * keeps no body of that answer, says why in general words).
   */
  static List<NginxModel.ErrorAnswer> of(int maxBodyMb, int ratePerSecond, int burst, int readTimeoutSeconds,
      boolean keyCheck) {
    List<NginxModel.ErrorAnswer> answers = new java.util.ArrayList<>();
    if (keyCheck) {
      answers.add(answer(401, "invalid_api_key", "a valid client key is required: send Authorization: Bearer"
          + " <key>; this one is missing, unknown, disabled or expired", 0));
      answers.add(answer(403, "model_not_allowed", "the client key may not use this", 0));
    }
    answers.addAll(List.of(
        answer(400, "bad_request", "nginx could not read the request: it is not valid HTTP", 0),
        answer(404, "not_found", "no route for this path on this cluster", 0),
        answer(408, "request_timeout", "the request did not arrive in time", 0),
        answer(413, "request_too_large", "the request body is larger than this cluster takes (" + maxBodyMb + " MiB)", 0),
        answer(429, "rate_limit_exceeded", "too many requests from this address: the cluster takes " + ratePerSecond
            + " requests/s from each, with a burst of " + burst + "; retry in a second", 1),
        answer(500, "internal_error", "nginx failed to handle the request; its error log says why", 0),
        answer(502, "bad_gateway", "no bridge of this cluster answered: every one tried is down or refused the"
            + " connection; retry shortly", 1),
        answer(503, "service_unavailable", "no bridge of this cluster is available now; retry shortly", 1),
        answer(504, "gateway_timeout", "no bridge of this cluster answered within " + readTimeoutSeconds + " s", 0)));
    return List.copyOf(answers);
  }

  private static NginxModel.ErrorAnswer answer(int status, String code, String message, int retryAfterSeconds) {
    ObjectNode openAi = JsonNodeFactory.instance.objectNode();
    openAi.putObject("error").put("message", message).put("type", openAiType(status)).putNull("param").put("code", code);
    ObjectNode ollama = JsonNodeFactory.instance.objectNode().put("error", message);
    return new NginxModel.ErrorAnswer(status, quotable(openAi.toString()), quotable(ollama.toString()), retryAfterSeconds);
  }

  /** The types the bridges' own error answers carry, as OpenAI's API names them. */
  private static String openAiType(int status) {
    return switch (status) {
      case 429 -> "rate_limit_error";
      default -> status >= 500 ? "api_error" : "invalid_request_error";
    };
  }

  /** The text, checked to need no escaping between nginx's single quotes. */
  private static String quotable(String json) {
    for (char c : json.toCharArray()) {
      if (c == '\'' || c == '\\' || c == '$' || c < 0x20 || c > 0x7E) {
        throw new IllegalStateException(String.format(Locale.ROOT, "an nginx answer holds %s: %s", c, json));
      }
    }
    return json;
  }
}
