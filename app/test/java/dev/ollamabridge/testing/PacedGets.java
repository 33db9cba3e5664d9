package dev.ollamabridge.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.ConnectionPool;
import okhttp3.Dispatcher;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;

/**
 * GETs of one URL at a steady pace, each on a new connection of its own (none kept, none retried),
 * so that each goes to whichever host holds the address when it is sent, and one caught on a host
 * that went dark does not hold back the next. Each outcome is kept: who answered, or why it failed.
 * Connects are as patient as a browser's or nginx's own (seconds, not one): a connect caught on a
 * host that went dark is answered by the new holder when the kernel sends its SYN again, which is
 * what a real client sees.
 */
final class PacedGets implements AutoCloseable {

  /** One request: when it was sent and ended ({@link System#nanoTime}), and the body that answered it, or the failure. */
  record Outcome(long sentNanos, long endedNanos, String answer, String failure) {
    boolean answeredBy(String name) {
      return name.equals(answer);
    }
  }

  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);

  private final OkHttpClient http;
  private final ScheduledExecutorService pace = Executors.newSingleThreadScheduledExecutor(task -> {
    Thread thread = new Thread(task, "paced-gets");
    thread.setDaemon(true);
    return thread;
  });
  private final AtomicLong sent = new AtomicLong();
  private final List<Outcome> outcomes = new CopyOnWriteArrayList<>();

  /** {@code perSecond} GETs of {@code url} a second, from now until {@link #close}. */
  PacedGets(String url, int perSecond) {
    Dispatcher dispatcher = new Dispatcher();
    dispatcher.setMaxRequests(512);
    dispatcher.setMaxRequestsPerHost(512);
    http = new OkHttpClient.Builder().dispatcher(dispatcher).connectionPool(new ConnectionPool(0, 1, TimeUnit.SECONDS))
        .retryOnConnectionFailure(false).connectTimeout(CONNECT_TIMEOUT).callTimeout(Duration.ofSeconds(15)).build();
    Request request = new Request.Builder().url(url).build();
    pace.scheduleAtFixedRate(() -> send(request), 0, 1_000_000L / perSecond, TimeUnit.MICROSECONDS);
  }

  private void send(Request request) {
    long started = System.nanoTime();
    sent.incrementAndGet();
    http.newCall(request).enqueue(new Callback() {
      @Override
      public void onResponse(Call call, Response response) {
        try (response) {
          String body = response.body().string().strip();
          outcomes.add(response.code() == 200 ? new Outcome(started, System.nanoTime(), body, null)
              : new Outcome(started, System.nanoTime(), null, "status " + response.code()));
        } catch (IOException e) {
          onFailure(call, e);
        }
      }

      @Override
      public void onFailure(Call call, IOException e) {
        outcomes.add(new Outcome(started, System.nanoTime(), null, e.toString()));
      }
    });
  }

  /** Every outcome so far, in the order they ended. */
  List<Outcome> outcomes() {
    return List.copyOf(outcomes);
  }

  /** Waits until {@code count} more requests have been answered by {@code name}; the first of them. */
  Outcome awaitAnswersFrom(String name, int count) {
    int from = outcomes.size();
    await("%d answers from %s".formatted(count, name)).atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20))
        .until(() -> since(from).stream().filter(outcome -> outcome.answeredBy(name)).count() >= count);
    return since(from).stream().filter(outcome -> outcome.answeredBy(name)).findFirst().orElseThrow();
  }

  /** Waits until {@code count} more requests have ended, all answered by {@code name}: fails at the first that was not. */
  void awaitOnlyAnswersFrom(String name, int count) {
    int from = outcomes.size();
    await("%d answers from %s, and none from elsewhere".formatted(count, name)).atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(20))
        .failFast(() -> assertThat(since(from)).allSatisfy(outcome -> assertThat(outcome.answer()).as(outcome.toString()).isEqualTo(name)))
        .until(() -> since(from).size() >= count);
  }

  private List<Outcome> since(int from) {
    List<Outcome> all = outcomes();
    return all.subList(from, all.size());
  }

  /** Stops sending, and waits until every request sent has ended. */
  @Override
  public void close() {
    pace.shutdownNow();
    await().atMost(Duration.ofSeconds(30)).until(() -> outcomes.size() >= sent.get());
    http.dispatcher().executorService().shutdown();
  }
}
