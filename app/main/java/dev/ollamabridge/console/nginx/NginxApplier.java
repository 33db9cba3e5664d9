package dev.ollamabridge.console.nginx;

import dev.ollamabridge.cli.HostPort;
import dev.ollamabridge.console.events.EventLog;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies nginx configurations as transactions: stage → {@code nginx -t} → swap → reload → check
 * that nginx serves the new revision; any failure restores the last good file, and every attempt
 * is a {@link Revision}. Applies run one at a time on one thread, and requests that come within
 * the debounce window share one apply.
 */
public final class NginxApplier implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(NginxApplier.class);
  private static final Pattern REVISION = Pattern.compile("^# Revision (\\S+)$", Pattern.MULTILINE);
  private static final Duration VERIFY_TIMEOUT = Duration.ofSeconds(10);

  /** Told the outcome of every apply and rollback, and how long it took, on the apply thread. */
  public interface Listener {
    void applied(Revision revision, Duration took);
  }

  private final Supplier<String> render;
  private final NginxTarget target;
  private final RevisionRepository revisions;
  private final EventLog events;
  private final Supplier<HostPort> listen;
  private final Duration debounce;
  private final OkHttpClient http;
  private final ScheduledExecutorService worker = Executors.newSingleThreadScheduledExecutor(runnable -> {
    Thread thread = new Thread(runnable, "nginx-apply");
    thread.setDaemon(true);
    return thread;
  });
  private final List<Listener> listeners = new CopyOnWriteArrayList<>();
  private CompletableFuture<Revision> pending;
  private String pendingActor;
  private final List<Cause> pendingCauses = new ArrayList<>();

  public NginxApplier(Supplier<String> render, NginxTarget target, RevisionRepository revisions, EventLog events,
      Supplier<HostPort> listen, Duration debounce, OkHttpClient http) {
    this.http = http.newBuilder().callTimeout(Duration.ofSeconds(2)).build();
    this.render = render;
    this.target = target;
    this.revisions = revisions;
    this.events = events;
    this.listen = listen;
    this.debounce = debounce;
  }

  public void addListener(Listener listener) {
    listeners.add(listener);
  }

  /** Renders and applies soon, as someone asked (the Apply button): the cause says so. */
  public CompletableFuture<Revision> request(String actor) {
    return request(actor, Cause.of(actor, "apply by " + actor));
  }

  /**
   * Renders and applies soon; requests within the debounce window share one apply, whose revision
   * gives every cause and the actor of the first request someone (not the console) made. An apply
   * that changes nothing makes no revision: it answers the one nginx serves.
   */
  public synchronized CompletableFuture<Revision> request(String actor, Cause cause) {
    if (pending == null) {
      pending = new CompletableFuture<>();
      pendingActor = actor;
      pendingCauses.clear();
      worker.schedule(this::runPending, debounce.toMillis(), TimeUnit.MILLISECONDS);
    } else if (!cause.automatic() && pendingCauses.stream().allMatch(Cause::automatic)) {
      pendingActor = actor;
    }
    pendingCauses.add(cause);
    return pending;
  }

  /**
   * Runs {@code nginx -t} on a configuration without applying it, between applies (on the same
   * thread), and takes the candidate away again: how a change is checked before it is stored.
   */
  public CompletableFuture<Commands.Outcome> test(String config) {
    return CompletableFuture.supplyAsync(() -> {
      try {
        target.stage(config);
        try {
          return target.test();
        } finally {
          target.unstage();
        }
      } catch (IOException e) {
        return new Commands.Outcome(-1, "could not write the configuration to test it: " + e.getMessage());
      }
    }, worker);
  }

  /** Applies the text of an earlier revision again; nginx serves it until the next apply. */
  public CompletableFuture<Revision> rollback(Revision earlier, String actor) {
    return CompletableFuture.supplyAsync(() -> apply(earlier.config(), actor, "rollback to revision " + earlier.id(),
        Cause.rollback(earlier.id(), actor)), worker);
  }

  private void runPending() {
    CompletableFuture<Revision> done;
    String actor;
    Cause cause;
    synchronized (this) {
      done = pending;
      actor = pendingActor;
      cause = Cause.merged(pendingCauses);
      pending = null;
    }
    try {
      done.complete(apply(render.get(), actor, null, cause));
    } catch (Throwable e) {
      // whatever went wrong, every caller waiting on this apply hears of it: none waits for ever
      done.completeExceptionally(e);
      if (!(e instanceof NginxFailure)) {
        log.error("nginx apply failed", e);
      }
    }
  }

  /** One transaction, told to the listeners; runs on the worker thread only. */
  private Revision apply(String config, String actor, String note, Cause cause) {
    long start = System.nanoTime();
    try {
      Revision revision = transaction(config, actor, note, cause);
      tell(revision, start);
      return revision;
    } catch (NginxFailure e) {
      tell(e.revision(), start);
      throw e;
    }
  }

  /**
   * Tells every listener; a listener's failure, an {@link AssertionError} or a {@link LinkageError}
   * as much as an exception, is logged and is not the apply's, which nginx already serves. Only a
   * {@link VirtualMachineError} (out of memory, stack overflow) goes on, and fails the apply's future.
   */
  private void tell(Revision revision, long start) {
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    for (Listener listener : listeners) {
      try {
        listener.applied(revision, took);
      } catch (VirtualMachineError e) {
        throw e;
      } catch (Throwable e) {
        log.warn("an apply listener failed: {}", e.toString());
      }
    }
  }

  private Revision transaction(String config, String actor, String note, Cause cause) {
    String hash = hashOf(config);
    try {
      Optional<Revision> served = revisions.lastApplied();
      if (config.equals(target.current()) && serves(hash, Duration.ZERO)) {
        return served.filter(last -> last.hash().equals(hash))
            .orElseGet(() -> record(actor, hash, config, null, "applied", suffix("already serving", note), cause));
      }
      target.stage(config);
      Commands.Outcome test = target.test();
      if (!test.ok()) {
        target.unstage();
        throw failure(record(actor, hash, config, test.output(), "rejected",
            suffix("nginx -t refused the configuration; the previous one keeps serving", note), cause));
      }
      target.promote();
      Commands.Outcome reload = target.reload();
      if (reload.ok() && serves(hash, VERIFY_TIMEOUT)) {
        Revision applied = record(actor, hash, config, test.output(), "applied", note, cause);
        events.record(actor, "nginx.apply", "nginx", "revision " + applied.id() + " (" + hash + "): " + applied.cause());
        served.filter(Revision::rollback).ifPresent(rollback -> events.record(actor, "nginx.rollback_replaced", "nginx",
            "revision " + applied.id() + " (" + applied.cause() + ") replaced the rollback to revision "
                + rollback.rollbackTo() + " that nginx served since " + rollback.createdAt() + " (revision " + rollback.id() + ")"));
        return applied;
      }
      String why = reload.ok() ? "nginx did not serve revision " + hash + " within " + VERIFY_TIMEOUT.toSeconds() + " s"
          : "reload failed: " + reload.output();
      target.restoreLastGood();
      target.reload();
      throw failure(record(actor, hash, config, test.output() + "\n" + reload.output(), "failed",
          suffix(why + "; the last good configuration was restored", note), cause));
    } catch (IOException e) {
      throw failure(record(actor, hash, config, null, "failed", "could not write the configuration: " + e.getMessage(),
          cause));
    }
  }

  /** Whether nginx answers {@code /nginx-health} with this revision, polling until the timeout. */
  private boolean serves(String hash, Duration timeout) {
    Request request = new Request.Builder().url("http://" + listen.get().dialAddress() + "/nginx-health").build();
    Instant deadline = Instant.now().plus(timeout);
    do {
      try (Response response = http.newCall(request).execute()) {
        if (hash.equals(response.header("X-Config-Revision"))) {
          return true;
        }
      } catch (IOException notServing) {
        // not (yet) listening
      }
      if (Instant.now().isAfter(deadline)) {
        return false;
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    } while (true);
  }

  private Revision record(String actor, String hash, String config, String testOutput, String result, String message,
      Cause cause) {
    Revision revision = revisions.add(actor, hash, config, testOutput, result, message, cause);
    if (!revision.applied()) {
      events.record(actor, "nginx." + result, "nginx", "revision " + revision.id() + ": " + message);
      log.warn("nginx revision {} {}: {}\n{}", revision.id(), result, message, testOutput == null ? "" : testOutput);
    }
    return revision;
  }

  private static NginxFailure failure(Revision revision) {
    return new NginxFailure(revision);
  }

  private static String suffix(String message, String note) {
    return note == null ? message : message + " (" + note + ")";
  }

  static String hashOf(String config) {
    Matcher matcher = REVISION.matcher(config);
    return matcher.find() ? matcher.group(1) : "unknown";
  }

  @Override
  public void close() {
    worker.shutdownNow();
  }
}
