package dev.ollamabridge.bridge.requestlog;

import java.time.Instant;

/**
 * One request as the request log writes it: every field is the log's key of the same meaning, null
 * when unknown. The texts are already bounded by whoever built the line (see {@link Texts}).
 *
 * @param route the bridge's route ({@code /v1/chat/completions}), never the client's raw path
 * @param dialectIn the client's dialect ({@code openai}, {@code ollama})
 * @param dialectOut the backend's dialect
 * @param cache {@code hit}, {@code miss} or {@code off}
 * @param client the address the request came from (nginx's, behind nginx: its own log has the client's)
 * @param retries upstream attempts after the first; null for a request that made no call the bridge counts
 * @param error one line of at most {@value Texts#MAX_ERROR_CHARS} characters
 * @param requestBody the request's body, only with {@code --log-bodies}; otherwise null and left out
 * @param responseBody the answer, only with {@code --log-bodies}; otherwise null and left out
 */
public record RequestLogLine(
    Instant time,
    String id,
    String key,
    String keyId,
    String model,
    String backendModel,
    String route,
    String dialectIn,
    String dialectOut,
    Boolean stream,
    int status,
    String cache,
    long latencyMs,
    Long ttftMs,
    Long promptTokens,
    Long completionTokens,
    Long bytesIn,
    Long bytesOut,
    String client,
    Integer retries,
    String error,
    String requestBody,
    String responseBody) {}
