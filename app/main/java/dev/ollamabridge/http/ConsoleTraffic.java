package dev.ollamabridge.http;

/**
 * The header that marks the console's own requests to a bridge (model discovery, health probes,
 * metrics scrapes): the bridge counts them apart from its clients', so that an idle instance shows
 * no traffic. nginx clears it on the way to a bridge; a client that calls a bridge directly with it
 * only hides its own requests from the charts.
 */
public final class ConsoleTraffic {

  public static final String HEADER = "X-Ollama-Bridge-Console";
  public static final String VALUE = "1";

  private ConsoleTraffic() {}

  /** Whether a request's header value says it came from the console. */
  public static boolean marks(String headerValue) {
    return VALUE.equals(headerValue);
  }
}
