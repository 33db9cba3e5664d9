package dev.ollamabridge.bridge;

import java.io.IOException;
import java.io.OutputStream;

/**
 * The {@link AnswerSink} of a route on its own thread: writes to its {@link Exchange}, each piece
 * sent at once, waiting while the client reads slowly.
 */
final class ExchangeSink implements AnswerSink {

  private final Exchange exchange;
  private OutputStream out;
  private boolean begun;

  ExchangeSink(Exchange exchange) {
    this.exchange = exchange;
  }

  @Override
  public void begin(String contentType) {
    exchange.answerHeader("Cache-Control", "no-cache");
    exchange.answerHeader("X-Accel-Buffering", "no"); // tells nginx not to buffer this stream
    out = exchange.stream(200, contentType);
    begun = true;
  }

  @Override
  public void write(byte[] bytes) {
    try {
      out.write(bytes);
    } catch (IOException e) {
      throw new ClientAnswer.ClientGone(e);
    }
  }

  @Override
  public void whole(int status, String contentType, byte[] body) {
    exchange.answer(status, contentType, body);
    begun = true;
  }

  @Override
  public boolean begun() {
    return begun;
  }
}
