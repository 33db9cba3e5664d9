package dev.ollamabridge.bridge;

import dev.ollamabridge.bridge.requestlog.Texts;
import dev.ollamabridge.link.KeyRule;
import java.io.ByteArrayOutputStream;

/**
 * What the bridge notes about one request while answering it, for its metrics, its usage counts and
 * its request log: each is set where the bridge learns it and read once the answer is written. A
 * value never set reads as null (the log's "unknown"). It knows no HTTP server: the server keeps it
 * beside its exchange.
 * One request is answered by one thread at a time, so it needs no locks.
 */
final class RequestNotes {

  private Long start;
  private String cache;
  private KeyRule key;
  private String model;
  private String backendModel;
  private Long promptTokens;
  private Long completionTokens;
  private boolean authorizationWithheld;
  private Route route;
  private String id;
  private Long firstToken;
  private Integer retries;
  private String error;
  private Boolean stream;
  private byte[] requestBody;
  private BodyCapture responseBody;

  void start() {
    start = System.nanoTime();
  }

  boolean started() {
    return start != null;
  }

  double elapsedSeconds() {
    return start == null ? 0 : (System.nanoTime() - start) / 1e9;
  }

  void cacheOutcome(String outcome) {
    cache = outcome;
  }

  /** {@code hit}, {@code miss}, or {@code off} for requests the cache did not look at. */
  String cacheOutcome() {
    return cache == null ? "off" : cache;
  }

  /** The cluster key the request presented and that passed; never its secret. */
  void key(KeyRule key) {
    this.key = key;
  }

  /** The cluster key of the request; null for none (no key required, or an instance's {@code --client-key}). */
  KeyRule key() {
    return key;
  }

  /** The model as the client named it. */
  void model(String clientModel) {
    model = clientModel;
  }

  /** The model as the client named it; null for a request that names none, or before it is read. */
  String model() {
    return model;
  }

  /** Both names of the request's model; a request that names none leaves them null. */
  void model(ModelAliases.ModelName name) {
    if (!name.client().isEmpty()) {
      model = name.client();
      backendModel = name.backend();
    }
  }

  /** The model as the backend knows it (after {@code --model-alias}). */
  void backendModel(String backendModel) {
    this.backendModel = backendModel;
  }

  String backendModel() {
    return backendModel;
  }

  /**
   * The tokens the backend spent on this request, as it counted them, once its answer is complete;
   * a cache hit spent none and sets none.
   */
  void tokens(long prompt, long completion) {
    promptTokens = prompt;
    completionTokens = completion;
  }

  /** Null until {@link #tokens} is called: an answer that did not complete, or a route without tokens. */
  Long promptTokens() {
    return promptTokens;
  }

  Long completionTokens() {
    return completionTokens;
  }

  /** Keeps the client's Authorization from the backend: it carries a client key, which is for the bridge only. */
  void withholdAuthorization() {
    authorizationWithheld = true;
  }

  /** The client's Authorization as it may go upstream: null when it carried a client key. */
  String upstreamAuthorization(String clientAuthorization) {
    return authorizationWithheld ? null : clientAuthorization;
  }

  /** The route the request took, noted as it starts. */
  void route(Route route) {
    this.route = route;
  }

  Route route() {
    return route;
  }

  /** The request's id, answered as {@code x-request-id}. */
  void id(String id) {
    this.id = id;
  }

  String id() {
    return id;
  }

  /** Notes that the first answer text left now (once: later calls change nothing). */
  void firstToken() {
    if (firstToken == null) {
      firstToken = System.nanoTime();
    }
  }

  /** Milliseconds from the request to its first answer text; null when none left. */
  Long ttftMillis() {
    return start == null || firstToken == null ? null : (firstToken - start) / 1_000_000;
  }

  /** Upstream attempts after the first, for a request whose upstream call the bridge counts. */
  void retries(int retries) {
    this.retries = retries;
  }

  Integer retries() {
    return retries;
  }

  /** The error the client was told (the first one, should a stream fail after an error status was chosen). */
  void error(String message) {
    if (error == null) {
      error = message;
    }
  }

  String error() {
    return error;
  }

  /** Whether the client asked for a stream; null for a request that has no such choice. */
  void stream(boolean stream) {
    this.stream = stream;
  }

  Boolean stream() {
    return stream;
  }

  /** The request's body as read, for {@code --log-bodies}. */
  void requestBody(byte[] body) {
    requestBody = body;
  }

  byte[] requestBody() {
    return requestBody;
  }

  /** Starts keeping what is written to the client (its first 64 KiB), for {@code --log-bodies}. */
  void keepResponseBody() {
    responseBody = new BodyCapture();
  }

  /** Notes bytes written to the client; kept only when {@link #keepResponseBody} was called. */
  void responseBytes(byte[] bytes) {
    if (responseBody != null) {
      responseBody.add(bytes);
    }
  }

  /** The kept response body, or null when none was kept. */
  String responseBody() {
    return responseBody == null ? null : responseBody.text();
  }

  /** The first bytes of an answer, a few past the most a line keeps, so that the cut shows. */
  private static final class BodyCapture {
    private final ByteArrayOutputStream kept = new ByteArrayOutputStream();

    void add(byte[] bytes) {
      int room = Texts.MAX_BODY_BYTES + 4 - kept.size(); // a little over, so the cut knows there was more
      if (room > 0) {
        kept.write(bytes, 0, Math.min(room, bytes.length));
      }
    }

    String text() {
      byte[] bytes = kept.toByteArray();
      return Texts.body(bytes, bytes.length);
    }
  }
}
