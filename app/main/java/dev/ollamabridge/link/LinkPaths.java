package dev.ollamabridge.link;

/** Where the console's agent listener answers, and the limits both ends hold each other to. */
public final class LinkPaths {

  /** {@code POST}: a {@link JoinRequest}, answered with a {@link JoinAnswer} or a 4xx {@code {"error": "..."}}. */
  public static final String JOIN = "/agent/v1/join";
  /** The WebSocket an enrolled agent holds open, authenticated by its client certificate. */
  public static final String LINK = "/agent/v1/link";
  /** The header in which an agent names its version when it dials the link. */
  public static final String VERSION_HEADER = "X-Ollama-Bridge-Agent-Version";
  /** How often an agent reports; the console counts a host NotReady after three missed reports. */
  public static final int REPORT_SECONDS = 5;
  /** The longest an agent waits before dialling the console again (its backoff's cap). */
  public static final int REDIAL_MAX_SECONDS = 30;
  /** The largest frame either end accepts (a desired state of many bridges, a log tail). */
  public static final int MAX_FRAME_BYTES = 4 * 1024 * 1024;
  /** WebSocket close code for a refusal (revoked, unknown host, version skew); the reason says why. */
  public static final int REFUSED = 4403;

  private LinkPaths() {}
}
