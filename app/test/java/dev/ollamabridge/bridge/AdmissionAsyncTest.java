package dev.ollamabridge.bridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Requests on an event loop wait for a slot without blocking, in the same first-come-first-served
 * queue as requests on their own threads, with the same 503s, hang-ups and metrics.
 */
class AdmissionAsyncTest {

  private static final Duration LONG = Duration.ofMinutes(5);

  private final BridgeMetrics metrics = new BridgeMetrics();
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
  private final ExecutorService threads = Executors.newCachedThreadPool();

  @AfterEach
  void stop() {
    timer.shutdownNow();
    threads.shutdownNow();
  }

  @Test
  void slotsGoFirstComeFirstServedToAsyncAndBlockingWaitersAlike() {
    Admission admission = new Admission(1, 4, LONG, metrics);
    Admission.Slot held = admission.enter(new Client());
    List<String> served = new CopyOnWriteArrayList<>();

    waitAsync(admission, "first", served);
    waitBlocking(admission, "second", served);
    await().until(() -> admission.queued() == 2);
    waitAsync(admission, "third", served);
    waitBlocking(admission, "fourth", served);
    await().until(() -> admission.queued() == 4);

    held.close();

    await().until(() -> served.size() == 4);
    assertThat(served).containsExactly("first", "second", "third", "fourth");
    await().until(() -> admission.inUse() == 0);
    assertThat(admission.queued()).isZero();
    assertThat(metric("bridge_admission_wait_seconds_count")).isEqualTo("5");
  }

  @Test
  void aFullQueueIsA503WithRetryAfterAtOnceForBothKindsOfWaiter() {
    Admission admission = new Admission(1, 1, LONG, metrics);
    Admission.Slot held = admission.enter(new Client());
    CompletableFuture<Admission.Slot> waiting = admission.enterAsync(new Client(), timer);

    CompletableFuture<Admission.Slot> turnedAway = admission.enterAsync(new Client(), timer);

    assertThat(turnedAway).isCompletedExceptionally();
    assertThatThrownBy(turnedAway::join).cause().isInstanceOfSatisfying(ApiException.class, e -> {
      assertThat(e.status()).isEqualTo(503);
      assertThat(e.retryAfterSeconds()).isEqualTo(1);
      assertThat(e.getMessage()).contains("all 1 of its --max-concurrent slots are busy and its queue of 1 is full");
    });
    assertThatThrownBy(() -> admission.enter(new Client())).isInstanceOf(ApiException.class)
        .hasMessageContaining("queue of 1 is full");
    assertThat(metric("bridge_admission_rejections_total{reason=\"queue_full\"}")).isEqualTo("2.0");
    assertThat(admission.queued()).isEqualTo(1);

    held.close();
    waiting.join().close();
    assertThat(admission.inUse()).isZero();
  }

  @Test
  void aWaiterWhoseQueueTimeoutPassesIsA503OnTheTimer() {
    Admission admission = new Admission(1, 2, Duration.ofMillis(200), metrics);
    Admission.Slot held = admission.enter(new Client());

    CompletableFuture<Admission.Slot> late = admission.enterAsync(new Client(), timer);

    await().until(late::isDone);
    assertThatThrownBy(late::join).cause().isInstanceOfSatisfying(ApiException.class, e -> {
      assertThat(e.status()).isEqualTo(503);
      assertThat(e.retryAfterSeconds()).isEqualTo(1);
      assertThat(e.getMessage()).contains("no slot came free within its --queue-timeout of 200 ms");
    });
    assertThat(admission.queued()).isZero();
    assertThat(metric("bridge_admission_rejections_total{reason=\"timeout\"}")).isEqualTo("1.0");

    held.close();
    assertThat(admission.inUse()).isZero();
  }

  @Test
  void aClientThatHangsUpLeavesTheQueueAndFreesItsPlace() throws Exception {
    Admission admission = new Admission(1, 1, LONG, metrics);
    Admission.Slot held = admission.enter(new Client());
    Client leaving = new Client();
    CompletableFuture<Admission.Slot> left = admission.enterAsync(leaving, timer);

    leaving.hangUp();

    assertThatThrownBy(left::join).hasCauseInstanceOf(Admission.LeftQueue.class);
    assertThat(admission.queued()).isZero();
    assertThat(leaving.watching()).isFalse();

    Client leavingToo = new Client();
    Future<Admission.Slot> blocked = threads.submit(() -> admission.enter(leavingToo));
    await().until(() -> admission.queued() == 1);
    leavingToo.hangUp();

    assertThatThrownBy(blocked::get).hasCauseInstanceOf(Admission.LeftQueue.class);
    assertThat(admission.queued()).isZero();

    CompletableFuture<Admission.Slot> next = admission.enterAsync(new Client(), timer);
    held.close();
    next.join().close();
    assertThat(admission.inUse()).isZero();
    assertThat(metric("bridge_admission_wait_seconds_count")).isEqualTo("2");
  }

  @Test
  void aSlotThatComesAsItsClientHangsUpGoesToTheNextWaiter() {
    Admission admission = new Admission(1, 2, LONG, metrics);
    Admission.Slot held = admission.enter(new Client());
    Client leaving = new Client();
    CompletableFuture<Admission.Slot> left = admission.enterAsync(leaving, timer);
    CompletableFuture<Admission.Slot> next = admission.enterAsync(new Client(), timer);

    leaving.hangUpWithNoticeOnItsWay();
    held.close();
    leaving.deliverNotice();

    assertThatThrownBy(left::join).hasCauseInstanceOf(Admission.LeftQueue.class);
    assertThat(next).isCompleted();
    assertThat(admission.inUse()).isEqualTo(1);
    assertThat(admission.queued()).isZero();

    next.join().close();
    assertThat(admission.inUse()).isZero();
  }

  @Test
  void aSlotClosedTwiceFreesOnePlace() {
    Admission admission = new Admission(1, 2, LONG, metrics);
    Admission.Slot held = admission.enter(new Client());
    CompletableFuture<Admission.Slot> first = admission.enterAsync(new Client(), timer);
    CompletableFuture<Admission.Slot> second = admission.enterAsync(new Client(), timer);

    held.close();
    held.close();

    assertThat(first).isCompleted();
    assertThat(second).isNotDone();
    assertThat(admission.inUse()).isEqualTo(1);
    assertThat(admission.queued()).isEqualTo(1);

    first.join().close();
    second.join().close();
    assertThat(admission.inUse()).isZero();
  }

  @Test
  void aCancelledWaitLeavesTheQueue() {
    Admission admission = new Admission(1, 1, LONG, metrics);
    Admission.Slot held = admission.enter(new Client());
    Client client = new Client();
    CompletableFuture<Admission.Slot> cancelled = admission.enterAsync(client, timer);

    cancelled.cancel(false);

    assertThat(admission.queued()).isZero();
    assertThat(client.watching()).isFalse();
    held.close();
    assertThat(admission.inUse()).isZero();
  }

  private void waitAsync(Admission admission, String name, List<String> served) {
    admission.enterAsync(new Client(), timer).thenAccept(slot -> {
      served.add(name);
      slot.close();
    });
  }

  private void waitBlocking(Admission admission, String name, List<String> served) {
    threads.execute(() -> {
      try (Admission.Slot slot = admission.enter(new Client())) {
        served.add(name);
      }
    });
  }

  /** The value of the series whose name and labels are {@code series}, as /metrics writes it. */
  private String metric(String series) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      metrics.writeTo(out);
    } catch (IOException e) {
      throw new CompletionException(e);
    }
    return out.toString(StandardCharsets.UTF_8).lines().filter(line -> line.startsWith(series + " "))
        .map(line -> line.substring(series.length() + 1)).findFirst().orElse("absent");
  }

  /** A client connection whose hang-up the test makes, seen as a server's hang-up watch sees it. */
  private static final class Client implements Hangups {
    private Runnable onHangup;
    private boolean watching;
    private boolean hungUp;

    @Override
    public synchronized Watch watch(Runnable onHangup) {
      this.onHangup = onHangup;
      watching = true;
      return new Watch() {
        @Override
        public boolean hungUp() {
          synchronized (Client.this) {
            return hungUp;
          }
        }

        @Override
        public void close() {
          synchronized (Client.this) {
            watching = false;
          }
        }
      };
    }

    synchronized boolean watching() {
      return watching;
    }

    void hangUp() {
      hangUpWithNoticeOnItsWay();
      deliverNotice();
    }

    /** The connection is closed, but the server has not told the watcher yet. */
    synchronized void hangUpWithNoticeOnItsWay() {
      hungUp = true;
    }

    void deliverNotice() {
      Runnable notice;
      synchronized (this) {
        notice = watching ? onHangup : null;
      }
      if (notice != null) {
        notice.run();
      }
    }
  }
}
