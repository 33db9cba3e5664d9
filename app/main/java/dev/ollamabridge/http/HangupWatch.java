package dev.ollamabridge.http;

import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.CancellationException;
import org.eclipse.jetty.ee10.servlet.ServletContextRequest;
import org.eclipse.jetty.io.AbstractEndPoint;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.util.BufferUtil;
import org.eclipse.jetty.util.Callback;

/**
 * Notices that an HTTP/1.1 client hung up while its request is handled and nothing is read from
 * or written to it, as while a whole (non-streamed) answer is being prepared: Jetty alone would
 * notice only when it writes the answer. Start it once the request body has been read; it asks
 * the connection to say when it becomes readable. A client waiting for its answer sends nothing,
 * so readability that turns out to be the end of input means it closed (or half-closed) its side,
 * and {@code onHangup} runs, once. Close the watch before the answer is written.
 *
 * <p>A client that pipelines its next request on the same connection makes it readable with
 * bytes instead; those are lost, and the watch ends. No client in practice pipelines.
 */
public final class HangupWatch implements AutoCloseable {

  /**
   * What ends the watch's read interest, made once: only our own callback ever sees it, and a new
   * one per request would take its stack trace each time.
   */
  private static final CancellationException ANSWER_READY = new CancellationException("the answer is ready");

  private final EndPoint endPoint;
  private final Runnable onHangup;
  private final Callback readable = new Readable();
  private boolean watching;
  private boolean closed;
  private boolean hungUp;

  private HangupWatch(EndPoint endPoint, Runnable onHangup) {
    this.endPoint = endPoint;
    this.onHangup = onHangup;
  }

  /** Starts watching the connection of {@code request}; a connection it cannot watch is never reported. */
  public static HangupWatch start(HttpServletRequest request, Runnable onHangup) {
    ServletContextRequest jettyRequest = ServletContextRequest.getServletContextRequest(request);
    EndPoint endPoint = jettyRequest == null ? null : jettyRequest.getConnectionMetaData().getConnection().getEndPoint();
    HangupWatch watch = new HangupWatch(endPoint, onHangup);
    synchronized (watch) {
      watch.watch();
    }
    return watch;
  }

  /** Whether the client has hung up. */
  public synchronized boolean hungUp() {
    return hungUp;
  }

  /** Stops watching, so that Jetty may read the connection again once the answer is written. */
  @Override
  public synchronized void close() {
    closed = true;
    if (watching && endPoint instanceof AbstractEndPoint ownEndPoint) {
      // Nobody else waits to read this connection while its request is handled: the interest is ours.
      ownEndPoint.getFillInterest().onFail(ANSWER_READY);
    }
    watching = false;
  }

  /** Must hold the lock. */
  private void watch() {
    watching = endPoint != null && !closed && endPoint.tryFillInterested(readable);
  }

  private void onReadable() {
    synchronized (this) {
      watching = false;
      if (closed) {
        return;
      }
      ByteBuffer buffer = BufferUtil.allocate(512);
      int filled;
      try {
        filled = endPoint.fill(buffer);
      } catch (IOException e) {
        filled = -1;
      }
      if (filled == 0) {
        watch(); // woken for nothing
        return;
      }
      if (filled > 0) {
        return; // pipelined bytes: the client is there
      }
      hungUp = true;
    }
    onHangup.run();
  }

  private void onFailed() {
    synchronized (this) {
      watching = false;
      if (closed) {
        return; // our own close()
      }
      hungUp = true;
    }
    onHangup.run();
  }

  private final class Readable implements Callback {
    @Override
    public void succeeded() {
      onReadable();
    }

    @Override
    public void failed(Throwable x) {
      onFailed();
    }

    @Override
    public InvocationType getInvocationType() {
      return InvocationType.NON_BLOCKING;
    }
  }
}
