package dev.ollamabridge.fake;

/**
 * An error answer already shaped for its dialect; thrown by handlers and written once by the
 * server's exception mapping.
 */
final class ApiError extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final int status;
  private final transient Object body;

  ApiError(int status, Object body) {
    // Thrown on purpose for every 4xx/5xx the fake sends; a stack trace would only cost time.
    super("HTTP " + status, null, false, false);
    this.status = status;
    this.body = body;
  }

  int status() {
    return status;
  }

  Object body() {
    return body;
  }
}
