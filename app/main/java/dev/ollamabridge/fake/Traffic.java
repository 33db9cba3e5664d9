package dev.ollamabridge.fake;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/** Counts what clients asked of the fake, for {@code /_fake/stats} and {@link FakeOllama#stats()}. */
final class Traffic {

  private final AtomicLong requests = new AtomicLong();
  private final AtomicInteger active = new AtomicInteger();
  private final AtomicLong completed = new AtomicLong();
  private final AtomicLong cancelled = new AtomicLong();
  private final AtomicReference<String> lastAuthorization = new AtomicReference<>();

  /** Any request outside {@code /_fake/}; a missing header is remembered as null. */
  void authorizationSeen(String header) {
    lastAuthorization.set(header);
  }

  /** A request reached a generation or embedding route, whatever its outcome. */
  void received() {
    requests.incrementAndGet();
  }

  void started() {
    active.incrementAndGet();
  }

  void completed() {
    active.decrementAndGet();
    completed.incrementAndGet();
  }

  /** The client went away, or the server stopped, before the answer was whole. */
  void cancelled() {
    active.decrementAndGet();
    cancelled.incrementAndGet();
  }

  FakeOllama.Stats snapshot() {
    return new FakeOllama.Stats(
        requests.get(), active.get(), completed.get(), cancelled.get(), lastAuthorization.get());
  }
}
