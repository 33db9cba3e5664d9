package dev.ollamabridge.bridge;

/**
 * A request that ends in an error answer. It carries what both dialects need: the status, a
 * message for people, and (for OpenAI clients) the offending parameter and a machine code; and,
 * for a refusal that passes, when to retry ({@code Retry-After}), so that whichever server writes
 * the answer sets that header.
 */
public final class ApiException extends RuntimeException {

  private final int status;
  private final String param;
  private final String code;
  private final long retryAfterSeconds;

  public ApiException(int status, String message, String param, String code) {
    this(status, message, param, code, 0);
  }

  /** @param retryAfterSeconds the answer's {@code Retry-After}; 0 for none */
  public ApiException(int status, String message, String param, String code, long retryAfterSeconds) {
    super(message, null, false, false);
    this.status = status;
    this.param = param;
    this.code = code;
    this.retryAfterSeconds = retryAfterSeconds;
  }

  public static ApiException badRequest(String param, String message) {
    return new ApiException(400, message, param, "invalid_request");
  }

  public int status() {
    return status;
  }

  public String param() {
    return param;
  }

  public String code() {
    return code;
  }

  /** The seconds the answer's {@code Retry-After} tells; 0 when it has none. */
  public long retryAfterSeconds() {
    return retryAfterSeconds;
  }
}
