package dev.ollamabridge.console;

import static org.awaitility.Awaitility.await;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Clients sending non-streamed chats through a console's nginx, one after another each, until
 * stopped; with a tag, each request carries it in its query string, for nginx's access log.
 */
final class SteadyLoad implements AutoCloseable {

  private final AtomicBoolean running = new AtomicBoolean(true);
  private final AtomicLong sent = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final List<String> failures = Collections.synchronizedList(new ArrayList<>());
  private final List<Thread> clients = new ArrayList<>();
  private volatile String tag;

  SteadyLoad(ManagedNginxFixture nginx, int concurrency) {
    this(nginx, concurrency, null);
  }

  /** @param tag what the requests carry in their query string from the start; null: nothing */
  SteadyLoad(ManagedNginxFixture nginx, int concurrency, String tag) {
    this.tag = tag;
    for (int i = 0; i < concurrency; i++) {
      Thread client = new Thread(() -> {
        while (running.get()) {
          String sentWith = this.tag;
          int status = sentWith == null ? nginx.chat() : nginx.chatTagged(sentWith);
          sent.incrementAndGet();
          if (status != 200) {
            failed.incrementAndGet();
            failures.add(Instant.now() + (sentWith == null ? "" : " " + sentWith) + " status " + status);
          }
        }
      }, "steady-load-" + i);
      client.start();
      clients.add(client);
    }
  }

  /** Requests from now on carry this tag; one already on its way keeps the one it was sent with. */
  void tag(String tag) {
    this.tag = tag;
  }

  long sent() {
    return sent.get();
  }

  /** Waits until the clients have sent {@code requests} more than now; the number sent by then. */
  long awaitMore(int requests) {
    long target = sent.get() + requests;
    await().atMost(ManagedNginxFixture.PATIENCE).until(() -> sent.get() >= target);
    return sent.get();
  }

  long failed() {
    return failed.get();
  }

  List<String> failures() {
    return List.copyOf(failures);
  }

  void stop() throws InterruptedException {
    running.set(false);
    for (Thread client : clients) {
      client.join();
    }
  }

  @Override
  public void close() throws InterruptedException {
    stop();
  }
}
