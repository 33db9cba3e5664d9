package dev.ollamabridge.bridge;

import dev.ollamabridge.bridge.ModelAliases.ModelName;
import dev.ollamabridge.bridge.keys.KeyCounters;
import dev.ollamabridge.bridge.keys.KeyFile;
import dev.ollamabridge.bridge.keys.KeyTable;
import dev.ollamabridge.link.KeyRule;
import java.time.Clock;
import java.time.Instant;

/**
 * Who may use the bridge, and how much: the instance's own {@code --client-key} keys and the
 * cluster's keys of {@code --client-keys-file}, each refusal in the route's dialect before anything
 * reaches the backend. A key is presented as {@code Authorization: Bearer KEY} or {@code x-api-key}.
 *
 * <p>A client key is for the bridge only: whenever keys are in force, or the presented token is a
 * cluster key (or looks like one, {@code ob-…}, a revoked one included), the client's
 * Authorization is withheld from the backend, which gets the bridge's {@code --api-key} or nothing.
 */
final class ClientAccess {

  /** What every secret the console makes begins with. */
  private static final String CLUSTER_KEY_PREFIX = "ob-";

  private final ClientKeys instanceKeys;
  private final KeyFile file;
  private final KeyCounters counters;
  private final Clock clock;

  /** @param file the cluster's keys, or null for a bridge without {@code --client-keys-file} */
  ClientAccess(ClientKeys instanceKeys, KeyFile file, KeyCounters counters, Clock clock) {
    this.instanceKeys = instanceKeys;
    this.file = file;
    this.counters = counters;
    this.clock = clock;
  }

  /** Whether a request needs a key now; true while the keys file has not been read (every request is then refused). */
  boolean required() {
    KeyTable table = file == null ? null : file.table();
    return instanceKeys.required() || file != null && (table == null || table.required());
  }

  KeyFile file() {
    return file;
  }

  /**
   * Checks the request's key and notes it in {@code notes} ({@link RequestNotes#key}); throws 401
   * for a missing, unknown, disabled or expired key where one is required, 503 while the keys file
   * has never been read.
   */
  void authenticate(ClientRequest request, RequestNotes notes) {
    String token = presented(request);
    KeyTable table = null;
    if (file != null) {
      table = file.table();
      if (table == null) {
        throw new ApiException(503, "this bridge has not read its client keys yet; retry shortly", null,
            "keys_unavailable", 1);
      }
    }
    boolean instanceKey = instanceKeys.matches(token);
    KeyRule key = table == null || instanceKey ? null : table.find(token);
    if (key != null || instanceKey || file != null && (table.required() || token.startsWith(CLUSTER_KEY_PREFIX))) {
      notes.withholdAuthorization();
    }
    if (key != null) {
      refuseUnusable(key);
      notes.key(key);
      return;
    }
    if (!instanceKey && (instanceKeys.required() || table != null && table.required())) {
      throw new ApiException(401, token.isEmpty()
          ? "this bridge needs a client key: send 'Authorization: Bearer <key>'"
          : "the client key is not valid for this bridge", null, "invalid_api_key");
    }
  }

  private void refuseUnusable(KeyRule key) {
    if (!key.enabled()) {
      throw new ApiException(401, "the client key '" + key.name() + "' is disabled", null, "invalid_api_key");
    }
    if (key.expiresAtEpochMs() != null && clock.millis() >= key.expiresAtEpochMs()) {
      throw new ApiException(401, "the client key '" + key.name() + "' expired at "
          + Instant.ofEpochMilli(key.expiresAtEpochMs()), null, "invalid_api_key");
    }
  }

  /** Counts the request against its key's rate and budget: 429 with {@code Retry-After} when over either. */
  void admit(RequestNotes notes) {
    KeyRule key = notes.key();
    if (key == null) {
      return;
    }
    KeyCounters.Verdict verdict = counters.admit(key);
    if (verdict.kind() == KeyCounters.Verdict.Kind.ALLOWED) {
      return;
    }
    throw verdict.kind() == KeyCounters.Verdict.Kind.RATE
        ? new ApiException(429, "the client key '" + key.name() + "' is over its " + verdict.limit()
            + " requests per minute; retry in " + verdict.retryAfterSeconds() + " s", null, "rate_limit_exceeded",
            verdict.retryAfterSeconds())
        : new ApiException(429, "the client key '" + key.name() + "' has spent its " + verdict.limit()
            + " tokens for today (UTC); retry in " + verdict.retryAfterSeconds() + " s", null, "budget_exceeded",
            verdict.retryAfterSeconds());
  }

  /** Adds the tokens the request's answer spent to its key's day. */
  void spent(RequestNotes notes) {
    KeyRule key = notes.key();
    Long prompt = notes.promptTokens();
    Long completion = notes.completionTokens();
    if (key != null && prompt != null) {
      counters.spent(key, prompt + (completion == null ? 0 : completion));
    }
  }

  /** Notes the request's model and refuses (403) one its key may not use, before anything is sent upstream. */
  static void model(RequestNotes notes, ModelName model) {
    notes.model(model);
    KeyRule key = notes.key();
    if (key != null && !model.client().isEmpty() && !KeyTable.allows(key, model.client())) {
      String shown = model.client().length() > 200 ? model.client().substring(0, 200) + "…" : model.client();
      throw new ApiException(403, "the client key '" + key.name() + "' may not use the model '" + shown + "'",
          "model", "model_not_allowed");
    }
  }

  /** The client's Authorization as it may go upstream: null when it carried a client key, or when there was none. */
  static String upstreamAuthorization(Exchange exchange) {
    return exchange.notes().upstreamAuthorization(exchange.header("Authorization"));
  }

  /** The token a request presents: a Bearer Authorization, else {@code x-api-key}; empty for none. */
  private static String presented(ClientRequest request) {
    String authorization = request.header("Authorization");
    if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return authorization.substring(7).strip();
    }
    String apiKey = request.header("x-api-key");
    return apiKey == null ? "" : apiKey.strip();
  }
}
