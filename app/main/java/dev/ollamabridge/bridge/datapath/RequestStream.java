package dev.ollamabridge.bridge.datapath;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.ArrayDeque;

/**
 * A request's body handed on as it arrives, for a route that reads it on a thread of its own and
 * may take more than memory holds (a model's blob of gigabytes): the loop offers the pieces, the
 * thread reads them from {@link #input()}. While more than a megabyte waits, the client's
 * connection is not read, so a slow backend holds the client back, never the bridge's memory.
 */
public final class RequestStream {

  private static final int HIGH_BYTES = 1 << 20;
  private static final int LOW_BYTES = 256 << 10;

  private final Channel client;
  private final ArrayDeque<ByteBuf> pieces = new ArrayDeque<>();
  private int waiting;
  private boolean paused;
  private boolean complete;
  private IOException failure;

  RequestStream(Channel client) {
    this.client = client;
  }

  // --- the loop's side

  /** One piece of the body, this stream's to release. */
  synchronized void offer(ByteBuf piece) {
    if (failure != null) {
      piece.release();
      return;
    }
    if (piece.isReadable()) {
      pieces.add(piece);
      waiting += piece.readableBytes();
      notifyAll();
    } else {
      piece.release();
    }
    if (waiting > HIGH_BYTES && !paused) {
      paused = true;
      client.config().setAutoRead(false); // on again once the reader has taken most of it
    }
  }

  /** The body has come whole. */
  synchronized void complete() {
    complete = true;
    notifyAll();
  }

  /** The body will not come whole: the reader gets {@code cause}; what waits is dropped. */
  synchronized void fail(IOException cause) {
    if (failure == null && !complete) {
      failure = cause;
    }
    pieces.forEach(ByteBuf::release);
    pieces.clear();
    waiting = 0;
    notifyAll();
  }

  /** Whether the body has come whole. */
  synchronized boolean isComplete() {
    return complete;
  }

  /** Whether the loop has stopped reading the client because the reader is behind. */
  synchronized boolean paused() {
    return paused;
  }

  // --- the reader's side

  /** The body as it arrives; a read waits for the next piece. */
  public InputStream input() {
    return new InputStream() {
      @Override
      public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
      }

      @Override
      public int read(byte[] bytes, int offset, int length) throws IOException {
        if (length == 0) {
          return 0;
        }
        synchronized (RequestStream.this) {
          while (pieces.isEmpty() && !complete && failure == null) {
            try {
              RequestStream.this.wait();
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
              throw new InterruptedIOException("interrupted while the request body arrived");
            }
          }
          if (failure != null) {
            throw failure;
          }
          ByteBuf first = pieces.peekFirst();
          if (first == null) {
            return -1; // complete, and all read
          }
          int taken = Math.min(length, first.readableBytes());
          first.readBytes(bytes, offset, taken);
          if (!first.isReadable()) {
            pieces.pollFirst().release();
          }
          waiting -= taken;
          if (paused && waiting < LOW_BYTES) {
            paused = false;
            client.eventLoop().execute(() -> client.config().setAutoRead(true));
          }
          return taken;
        }
      }
    };
  }
}
