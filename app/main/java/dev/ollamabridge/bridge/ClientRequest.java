package dev.ollamabridge.bridge;

/**
 * What the bridge's checks read of a client's request, whichever HTTP server carries it: keys,
 * origins, limits and the request log decide from this, and answer in {@link ApiException}s and
 * {@link AnswerHeaders}, never by writing to a server's own request object.
 */
interface ClientRequest {

  String method();

  String path();

  /** The first value of a header, matched without regard to case; null when absent. */
  String header(String name);

  /** The client's IP address as the socket shows it. */
  String remoteAddress();

  /** The port the request came in on. */
  int localPort();
}
