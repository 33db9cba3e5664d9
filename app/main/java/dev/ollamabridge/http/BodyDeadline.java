package dev.ollamabridge.http;

import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.EagerContentHandler;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.Invocable;
import org.eclipse.jetty.util.thread.Scheduler;

/**
 * A Jetty handler that gathers a request's body before the application sees it, without holding
 * a thread while the body arrives, and gives up on a body that takes longer than a deadline. The
 * application then reads the body from memory at once, or, past the deadline, fails to read it
 * with a {@link BodyTimeoutException} and can answer 408. So clients that announce a body and
 * send it slowly or never cannot starve a bounded thread pool, and hold a socket for the deadline
 * at most. A body larger than {@code maxBytes} is handed over once that much has come, the rest
 * left to the application (which refuses it).
 *
 * <p>Insert it above the application: {@code jetty.insertHandler(new BodyDeadline(…))}.
 */
public final class BodyDeadline extends EagerContentHandler {

  /** What reading a body that missed its deadline throws. */
  public static final class BodyTimeoutException extends InterruptedIOException {
    private final Duration deadline;

    BodyTimeoutException(Duration deadline) {
      super("the request body did not arrive within " + deadline.toMillis() + " ms");
      this.deadline = deadline;
    }

    public Duration deadline() {
      return deadline;
    }
  }

  public BodyDeadline(Duration deadline, long maxBytes) {
    super(new GatheringFactory(deadline, maxBytes));
  }

  private record GatheringFactory(Duration deadline, long maxBytes) implements ContentLoaderFactory {
    @Override
    public String getApplicableMimeType() {
      return null; // every body
    }

    @Override
    public ContentLoader newContentLoader(
        String contentType, String mimeType, Handler handler, Request request, Response response, Callback callback) {
      if (request.getLength() > maxBytes) {
        return null; // refused by its declared length; nothing to wait for
      }
      return new Gathering(handler, request, response, callback, deadline, maxBytes);
    }
  }

  /** Reads chunks as they come, on whichever thread Jetty calls back on, until the body is whole. */
  private static final class Gathering extends ContentLoader implements Invocable.Task {
    private final Deque<Content.Chunk> chunks = new ArrayDeque<>();
    private final Duration deadline;
    private final long maxBytes;
    private long bytes;
    private boolean handedOver;
    private Scheduler.Task timer;

    Gathering(Handler handler, Request request, Response response, Callback callback, Duration deadline, long maxBytes) {
      super(handler, request, response, callback);
      this.deadline = deadline;
      this.maxBytes = maxBytes;
    }

    @Override
    protected void load() {
      timer = getRequest().getComponents().getScheduler().schedule(this::expire, deadline);
      gather(false);
    }

    /** More content is available. */
    @Override
    public void run() {
      gather(true);
    }

    @Override
    public InvocationType getInvocationType() {
      return InvocationType.NON_BLOCKING;
    }

    private void gather(boolean fromCallback) {
      synchronized (this) {
        if (handedOver) {
          return;
        }
        while (true) {
          Content.Chunk chunk = getRequest().read();
          if (chunk == null) {
            getRequest().demand(this);
            return;
          }
          chunks.add(chunk);
          bytes += chunk.remaining();
          if (chunk.isLast() || Content.Chunk.isFailure(chunk) || bytes > maxBytes) {
            handedOver = true;
            break;
          }
        }
      }
      timer.cancel();
      handOver(fromCallback, null);
    }

    private void expire() {
      synchronized (this) {
        if (handedOver) {
          return;
        }
        handedOver = true;
      }
      handOver(true, new BodyTimeoutException(deadline));
    }

    /** Calls the application, on a thread of its own unless this one already is the handling thread. */
    private void handOver(boolean dispatch, Throwable failure) {
      Gathered request = new Gathered(getRequest(), getCallback(), chunks, failure);
      if (dispatch) {
        getRequest().getContext().execute(() -> handle(request, getResponse(), request));
      } else {
        handle(request, getResponse(), request);
      }
    }
  }

  /** The request as the application sees it: the gathered chunks first, then a failure or the rest. */
  private static final class Gathered extends Request.Wrapper implements Callback {
    private final Callback callback;
    private final Deque<Content.Chunk> chunks;
    private final Throwable failure;

    Gathered(Request wrapped, Callback callback, Deque<Content.Chunk> chunks, Throwable failure) {
      super(wrapped);
      this.callback = callback;
      this.chunks = chunks;
      this.failure = failure;
    }

    @Override
    public Content.Chunk read() {
      synchronized (chunks) {
        if (!chunks.isEmpty()) {
          return chunks.removeFirst();
        }
      }
      // Past the deadline the socket is never read again: the failure is all there is.
      return failure != null ? Content.Chunk.from(failure, true) : super.read();
    }

    @Override
    public void demand(Runnable demandCallback) {
      boolean ready;
      synchronized (chunks) {
        ready = !chunks.isEmpty() || failure != null;
      }
      if (ready) {
        getContext().execute(demandCallback);
      } else {
        super.demand(demandCallback);
      }
    }

    @Override
    public InvocationType getInvocationType() {
      return callback.getInvocationType();
    }

    @Override
    public void succeeded() {
      release();
      callback.succeeded();
    }

    @Override
    public void failed(Throwable x) {
      release();
      callback.failed(x);
    }

    private void release() {
      synchronized (chunks) {
        chunks.forEach(Content.Chunk::release);
        chunks.clear();
      }
    }
  }
}
