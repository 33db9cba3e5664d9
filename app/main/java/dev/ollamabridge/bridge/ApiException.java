package dev.ollamabridge.bridge;

/**
 * A request that ends in an error answer. It carries what both dialects need: the status, a
 * message for people, and (for OpenAI clients) the offending parameter and a machine code.
 */
public final class ApiException extends RuntimeException {

  private final int status;
  private final String param;
  private final String code;

  public ApiException(int status, String message, String param, String code) {
    super(message, null, false, false);
    this.status = status;
    this.param = param;
    this.code = code;
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
}
