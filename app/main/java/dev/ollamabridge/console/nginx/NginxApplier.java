package dev.ollamabridge.console.nginx;

import dev.ollamabridge.cli.HostPort;
import dev.ollamabridge.console.events.EventLog;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import okhttp3.OkHttpClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies the console's nginx configurations as {@link NginxTransaction transactions}: stage →
 * {@code nginx -t} → swap → reload → check that nginx serves the new revision; any failure restores
 * the last good file, and every attempt is a {@link Revision}. Applies run one at a time on one
 * thread, and requests that come within the debounce window share one apply.
 */
public final class NginxApplier implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(NginxApplier.class);
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
  private final NginxTransaction transaction;
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
    this.transaction = new NginxTransaction(target, http, VERIFY_TIMEOUT);
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
    String hash = NginxTransaction.hashOf(config);
    Optional<Revision> served = revisions.lastApplied();
    NginxTransaction.Outcome outcome = transaction.apply(config, hash, listen.get());
    if (outcome.alreadyServing()) {
      return served.filter(last -> last.hash().equals(hash))
          .orElseGet(() -> record(actor, hash, config, null, "applied", suffix(outcome.message(), note), cause));
    }
    if (!outcome.applied()) {
      throw failure(record(actor, hash, config, outcome.testOutput(), outcome.result().word(),
          suffix(outcome.message(), note), cause));
    }
    Revision applied = record(actor, hash, config, outcome.testOutput(), "applied", note, cause);
    events.record(actor, "nginx.apply", "nginx", "revision " + applied.id() + " (" + hash + "): " + applied.cause());
    served.filter(Revision::rollback).ifPresent(rollback -> events.record(actor, "nginx.rollback_replaced", "nginx",
        "revision " + applied.id() + " (" + applied.cause() + ") replaced the rollback to revision "
            + rollback.rollbackTo() + " that nginx served since " + rollback.createdAt() + " (revision " + rollback.id() + ")"));
    return applied;
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

  @Override
  public void close() {
    worker.shutdownNow();
  }
}
