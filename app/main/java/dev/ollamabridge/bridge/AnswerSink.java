package dev.ollamabridge.bridge;

/**
 * Where {@link ClientAnswer} writes a generation's answer: to an {@link Exchange} on the route's
 * own thread, or to a client connection on its event loop. Each call returns at once on the loop;
 * a blocking sink may wait while the client reads slowly.
 */
interface AnswerSink {

  /**
   * Begins a streamed answer: 200, its type, {@code Cache-Control: no-cache} and
   * {@code X-Accel-Buffering: no} (nginx must not hold the stream back).
   */
  void begin(String contentType);

  /**
   * One piece of a streamed answer, sent at once.
   *
   * @throws ClientAnswer.ClientGone when the client has gone
   */
  void write(byte[] bytes);

  /**
   * A whole answer with its Content-Length.
   *
   * @throws ClientAnswer.ClientGone when the client has gone
   */
  void whole(int status, String contentType, byte[] body);

  /** Whether the answer has begun: a failure can no longer be a status. */
  boolean begun();
}
