package dev.ollamabridge.console.instances;

import dev.ollamabridge.cli.HostPort;
import dev.ollamabridge.console.events.EventLog;
import dev.ollamabridge.console.health.HealthChecker;
import dev.ollamabridge.console.health.HealthState;
import dev.ollamabridge.console.metrics.Figures;
import dev.ollamabridge.console.settings.Settings;
import dev.ollamabridge.console.supervise.ProcessState;
import dev.ollamabridge.console.supervise.ProgramStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongFunction;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * What can be done to instances, and what follows from it: rows in the database, bridge processes
 * under the supervisor, entries in the event log. Every change is checked first and either done
 * whole or refused with nothing changed.
 */
public final class InstanceService {

  private final InstanceRepository repository;
  private final Settings settings;
  private final EventLog events;
  private final HostRuntimes runtimes;
  private final BridgeLaunch launch;
  private final HealthChecker health;
  private final CacheRoots cacheRoots;
  private final InstancePlacement placement;
  private final LongFunction<Optional<Figures>> figures;
  /** Instances on their way out: nginx marks them down before their process is stopped. */
  private final Set<Long> draining = ConcurrentHashMap.newKeySet();
  /** Instances stopped on purpose (Stop, or Restart until it starts again): down in nginx, not health-checked. */
  private final Set<Long> stopped = ConcurrentHashMap.newKeySet();
  private final List<ChangeListener> listeners = new CopyOnWriteArrayList<>();
  /** How long a bridge moving to another host may take to run there. */
  private static final Duration MOVE_START = Duration.ofSeconds(90);

  /** An address the console itself listens on (its API, its nginx), which no instance may take. */
  public record Reserved(HostPort address, String owner) {}

  /**
   * @param reserved the addresses the console's own listeners use now
   * @param figures an instance's latest traffic figures, from its bridge's metrics
   */
  public InstanceService(InstanceRepository repository, Settings settings, EventLog events, HostRuntimes runtimes,
      BridgeLaunch launch, HealthChecker health, CacheRoots cacheRoots, Supplier<List<Reserved>> reserved,
      LongFunction<Optional<Figures>> figures) {
    this.figures = figures;
    this.repository = repository;
    this.settings = settings;
    this.events = events;
    this.runtimes = runtimes;
    this.launch = launch;
    this.health = health;
    this.cacheRoots = cacheRoots;
    this.placement = new InstancePlacement(settings, reserved, runtimes);
  }

  public void addListener(ChangeListener listener) {
    listeners.add(listener);
  }

  /** Ids of the instances being removed right now. */
  public Set<Long> draining() {
    return Set.copyOf(draining);
  }

  /** Ids of the instances stopped on purpose, which nginx keeps down until they are started. */
  public Set<Long> stopped() {
    return Set.copyOf(stopped);
  }

  public List<Instance> list() {
    return repository.all();
  }

  public Instance get(long id) {
    return repository.find(id).orElseThrow(() -> new InstanceNotFound(id));
  }

  /** Every instance with its process and health, as the dashboard and {@code GET /instances} show them. */
  public List<InstanceView> overview() {
    return repository.all().stream().map(this::view).toList();
  }

  public InstanceView view(long id) {
    return view(get(id));
  }

  /** The state of its health checks; a disabled instance, not checked, is in the state of one never checked. */
  public HealthState health(long id) {
    return health.state(get(id).id()).orElse(HealthState.NEW);
  }

  private InstanceView view(Instance instance) {
    ProgramStatus process = instance.managed()
        ? runtimes.find(instance.host()).flatMap(runtime -> runtime.status(instance)).orElse(null) : null;
    HealthState state = instance.enabled() ? health.state(instance.id()).orElse(HealthState.NEW) : null;
    return new InstanceView(instance, process, state, draining.contains(instance.id()),
        figures.apply(instance.id()).orElse(null));
  }

  /** Where the bridges' shared class-data archive stands: ready, building, failed and why. */
  public BridgeArchive.Status archive() {
    return launch.archiveStatus();
  }

  /** Starts (or adopts) every managed, enabled instance: what the console does when it starts. */
  public void startAll() {
    for (Instance instance : repository.all()) {
      if (instance.managed() && instance.enabled()) {
        runtimes.find(instance.host()).ifPresent(runtime -> runtime.start(instance));
      }
    }
  }

  /** Adds an instance; what the changes leave out gets a sensible default (next free port, own cache dir). */
  public Instance create(InstanceChanges changes, String actor) {
    List<Instance> existing = repository.all();
    Instance draft = InstanceRules.apply(placement.defaults(existing, changes.name(), changes.host()), changes,
        settings.instancePorts());
    draft = withCacheDir(draft, cacheDirOn(draft.host(), changes.cacheDir() != null ? draft.cacheDir() : null, draft.name()));
    placement.checkFree(draft, existing);
    placement.checkNotListenedOn(null, draft);
    List<Instance> wouldBe = new ArrayList<>(existing);
    wouldBe.add(draft);
    listeners.forEach(listener -> listener.check(wouldBe));
    Instance created = repository.insert(draft);
    events.record(actor, "instance.create", created.name(), describe(created));
    if (created.managed() && created.enabled()) {
      runtimes.of(created.host()).start(created);
    }
    notifyChanged(actor, "add " + created.name() + " by " + actor);
    return created;
  }

  /** An instance as a change stored it, and what the listeners made of it (for nginx: the revision applied). */
  public record Saved(Instance instance, CompletableFuture<List<Object>> followed) {}

  /** Applies the changes, which must carry the version they were based on. */
  public Instance update(long id, InstanceChanges changes, String actor) {
    return save(id, changes, actor).instance();
  }

  /** {@link #update}, answering also when and how the listeners acted on it. */
  public Saved save(long id, InstanceChanges changes, String actor) {
    Instance current = get(id);
    if (changes.version() == null) {
      throw new InvalidInput("version", "version is required: send the version you read, so that a concurrent change is not overwritten");
    }
    if (changes.version() != current.version()) {
      throw stale(current);
    }
    Instance changed = InstanceRules.apply(current, changes, settings.instancePorts());
    if (!changed.host().equals(current.host())) {
      // moved: it listens where the new host's bridges do, unless the change says where
      Instance there = placement.defaults(List.of(), changed.name(), changed.host());
      changed = InstanceRules.apply(changed, InstanceChanges.of(changes.listenHost() != null ? Map.of()
          : Map.of(InstanceField.LISTEN_HOST, there.listenHost()), null), settings.instancePorts());
      changed = withCacheDir(changed, cacheDirOn(changed.host(), changes.cacheDir(), changed.name()));
    } else if (changes.cacheDir() != null) {
      changed = withCacheDir(changed, cacheDirOn(changed.host(), changed.cacheDir(), changed.name()));
    }
    List<Instance> others = repository.all().stream().filter(other -> other.id() != id).toList();
    placement.checkFree(changed, others);
    placement.checkNotListenedOn(current, changed);
    List<Instance> wouldBe = new ArrayList<>(others);
    wouldBe.add(changed);
    listeners.forEach(listener -> listener.check(wouldBe));
    boolean moving = runs(current) && runs(changed) && !current.host().equals(changed.host());
    if (moving) {
      startThere(changed);
    }
    Instance stored = repository.update(changed).orElseThrow(() -> stale(get(id)));
    events.record(actor, "instance.update", stored.name(), changes(current, stored));
    CompletableFuture<List<Object>> followed;
    if (moving) {
      // nginx sends to the new address before the bridge where it was stops: drained there, then stopped
      followed = followed(actor, cause(current, stored) + " by " + actor);
      awaitQuietly(followed);
      runtimes.find(current.host()).ifPresent(runtime -> runtime.remove(current).join());
      release(stored.id());
    } else {
      reconcile(current, stored);
      followed = followed(actor, cause(current, stored) + " by " + actor);
    }
    return new Saved(stored, followed);
  }

  /**
   * A bridge moving to another host starts there first, and only a bridge that runs there (its
   * supervisor saw it answer its health URL) takes the instance's place; one that does not is
   * removed again and the move refused, with nothing changed.
   */
  private void startThere(Instance moved) {
    HostRuntime there = runtimes.placeable(moved.host());
    there.start(moved);
    long deadline = System.nanoTime() + MOVE_START.toNanos();
    ProgramStatus status = there.status(moved).orElse(null);
    while (status == null || status.state() != ProcessState.RUNNING) {
      if (System.nanoTime() > deadline || status != null && status.state() == ProcessState.FATAL) {
        there.remove(moved).join();
        throw new InstanceConflict("host", "the bridge did not start on host " + moved.host() + " within "
            + MOVE_START.toSeconds() + " s" + (status == null || status.message() == null ? "" : ": " + status.message())
            + "; it keeps running where it was");
      }
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while moving " + moved.name(), e);
      }
      status = there.status(moved).orElse(null);
    }
  }

  private static boolean runs(Instance instance) {
    return instance.managed() && instance.enabled();
  }

  /** Drains (marks down), stops the process, then removes the row. */
  public void delete(long id, Long version, String actor) {
    Instance current = get(id);
    if (version == null) {
      throw new InvalidInput("version", "version is required: DELETE /api/v1/instances/" + id + "?version=" + current.version());
    }
    if (version != current.version()) {
      throw stale(current);
    }
    draining.add(id);
    try {
      events.record(actor, "instance.drain", current.name(), null);
      // nginx stops sending it requests before it stops
      awaitQuietly(notifyChanged(actor, "drain " + current.name() + " for removal by " + actor));
      if (current.managed()) {
        runtimes.find(current.host()).ifPresent(runtime -> runtime.remove(current).join());
      }
      if (!repository.delete(id, version)) {
        throw stale(get(id));
      }
      health.forget(id);
      stopped.remove(id);
      events.record(actor, "instance.delete", current.name(), null);
    } finally {
      draining.remove(id);
    }
    notifyChanged(actor, "remove " + current.name() + " by " + actor);
  }

  /**
   * Tells the listeners; answers when all of them have acted.
   *
   * @param cause what changed, in words an operator reads: {@code stop b2 by web:admin}
   */
  public CompletableFuture<Void> notifyChanged(String actor, String cause) {
    return followed(actor, cause).thenAccept(outcomes -> {});
  }

  /** Tells the listeners; answers what each made of it, in their order, when all of them have acted. */
  private CompletableFuture<List<Object>> followed(String actor, String cause) {
    List<CompletableFuture<?>> acting = listeners.stream()
        .<CompletableFuture<?>>map(listener -> listener.changed(actor, cause)).toList();
    return CompletableFuture.allOf(acting.toArray(CompletableFuture[]::new))
        .thenApply(done -> acting.stream().<Object>map(CompletableFuture::join).toList());
  }

  /** Waits for the listeners, but a failed reload must not keep a drained instance running forever. */
  private static void awaitQuietly(CompletableFuture<?> done) {
    try {
      done.get(60, TimeUnit.SECONDS);
    } catch (ExecutionException | TimeoutException e) {
      // the failure is a revision and an event of its own; the removal goes on
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Starts the process; nginx sends it requests once its health checks pass {@code rise} times. */
  public ProgramStatus start(long id, String actor) {
    Instance instance = requireManaged(get(id));
    events.record(actor, "instance.start", instance.name(), null);
    ProgramStatus started = runtimes.of(instance.host()).start(instance);
    release(id);
    return started;
  }

  /**
   * Takes the instance out of nginx (applied and verified), then stops its process: from the moment
   * this answers, nginx sends it nothing. It stays down in nginx, and unchecked, until it is started.
   */
  public ProgramStatus stop(long id, String actor) {
    Instance instance = requireManaged(get(id));
    events.record(actor, "instance.stop", instance.name(), null);
    holdDown(instance, "stop " + instance.name() + " by " + actor, actor);
    return stopProcess(instance);
  }

  /** As {@link #stop}, then starts it again; nginx sends it requests once its health checks pass {@code rise} times. */
  public ProgramStatus restart(long id, String actor) {
    Instance instance = requireManaged(get(id));
    events.record(actor, "instance.restart", instance.name(), null);
    holdDown(instance, "restart " + instance.name() + " by " + actor, actor);
    stopProcess(instance);
    ProgramStatus started = runtimes.of(instance.host()).start(instance);
    release(id);
    return started;
  }

  /**
   * Marks the instance down in nginx and waits until nginx serves that, before its process is
   * signalled; its health reads down from now, and its checks pause, so no check passed before
   * the process stops can bring it back.
   */
  private void holdDown(Instance instance, String cause, String actor) {
    stopped.add(instance.id());
    health.pause(instance.id());
    awaitQuietly(notifyChanged(actor, cause));
  }

  /** A stopped instance runs again: checked anew, it is up in nginx once it passes {@code rise} checks. */
  private void release(long id) {
    if (stopped.remove(id)) {
      health.resume(id);
    }
  }

  /** Stops the process, or answers STOPPED for one this console never started (e.g. a disabled instance). */
  private ProgramStatus stopProcess(Instance instance) {
    HostRuntime runtime = runtimes.of(instance.host());
    if (runtime.status(instance).isEmpty()) {
      return new ProgramStatus(instance.name(), ProcessState.STOPPED, null, Instant.now(), 0, null,
          "not started by this console");
    }
    return runtime.stop(instance).join();
  }

  /**
   * Relaunches, one at a time, the running bridges {@code which} picks (those whose launch changed:
   * the shared Redis's flags), on every host: each is taken out of nginx, stopped, started with its
   * flags as they are now, and the next waits until it is healthy again (or {@code wait} passed), so
   * that the cluster never loses more than one bridge at once. A bridge on another host is relaunched
   * by its agent, which sees its launch differ.
   *
   * @return the names of the bridges relaunched
   */
  public List<String> relaunch(Predicate<Instance> which, String why, String actor, Duration wait) {
    List<String> relaunched = new ArrayList<>();
    for (Instance instance : repository.all()) {
      if (!runs(instance) || stopped.contains(instance.id()) || !which.test(instance)) {
        continue;
      }
      Optional<HostRuntime> runtime = runtimes.find(instance.host());
      if (runtime.isEmpty()) {
        continue;
      }
      events.record(actor, "instance.relaunch", instance.name(), why);
      holdDown(instance, "relaunch " + instance.name() + " (" + why + ") by " + actor, actor);
      if (runtime.get().local()) {
        runtime.get().remove(instance).join();
      }
      runtime.get().start(instance);
      release(instance.id());
      relaunched.add(instance.name());
      long deadline = System.nanoTime() + wait.toNanos();
      while (!health.state(instance.id()).map(HealthState::healthy).orElse(false) && System.nanoTime() < deadline) {
        try {
          Thread.sleep(200);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return relaunched;
        }
      }
    }
    return relaunched;
  }

  public List<String> logs(long id, int lines) {
    Instance instance = requireManaged(get(id));
    return runtimes.of(instance.host()).tail(instance, lines);
  }

  /** Brings the process in line with a changed row: start, stop, or restart with the new flags. */
  private void reconcile(Instance before, Instance after) {
    boolean ranBefore = before.managed() && before.enabled();
    boolean runsAfter = after.managed() && after.enabled();
    boolean sameLaunch = before.name().equals(after.name()) && before.host().equals(after.host())
        && BridgeLaunch.launchesAlike(before, after, launch.redis());
    if (ranBefore && (!runsAfter || !sameLaunch)) {
      runtimes.find(before.host()).ifPresent(runtime -> runtime.remove(before).join());
    }
    if (runsAfter && (!ranBefore || !sameLaunch)) {
      runtimes.of(after.host()).start(after);
      release(after.id());
    }
  }

  private static InstanceConflict stale(Instance current) {
    return new InstanceConflict("version", "the instance was changed meanwhile (now at version " + current.version() + "); read it again and retry");
  }

  private static Instance requireManaged(Instance instance) {
    if (!instance.managed()) {
      throw new InvalidInput("managed", "instance '" + instance.name() + "' is external: the console does not run its process");
    }
    return instance;
  }

  /**
   * Where a bridge on the host keeps its cache: the directory asked for (confined to the cache roots)
   * or its own under them; none on another host, whose agent places it in its own data directory.
   */
  private String cacheDirOn(String host, String asked, String name) {
    if (!host.equals(HostRuntimes.LOCAL)) {
      return null;
    }
    return asked != null ? cacheRoots.confine(asked) : cacheRoots.defaultFor(name);
  }

  private static Instance withCacheDir(Instance i, String cacheDir) {
    return new Instance(i.id(), i.name(), i.host(), i.listenHost(), i.port(), i.upstreamUrl(), i.upstreamDialect(), i.weight(), i.role(),
        i.maxFails(), i.failTimeoutSeconds(), i.cacheEnabled(), cacheDir, i.sharedMode(), i.upstreamApiKey(),
        i.clientKeys(), i.rateLimit(), i.thinkFilter(), i.enabled(), i.managed(), i.allowedOrigins(), i.models(),
        i.modelAliases(), i.maxConcurrent(), i.queueSize(), i.queueTimeoutMs(), i.logBodies(), i.version(), i.createdAt(),
        i.updatedAt());
  }

  private static String describe(Instance i) {
    return i.address() + " → " + i.upstreamUrl() + (i.managed() ? "" : " (external)");
  }

  /** What a change did, as a revision's cause: {@code weight b1 3→7}, or {@code b1: weight 3→7, role primary→backup}. */
  private static String cause(Instance before, Instance after) {
    List<String> changed = Arrays.stream(InstanceField.values())
        .filter(field -> !Objects.equals(field.valueIn(before), field.valueIn(after)))
        .map(field -> field.key() + (field.secret() ? " changed" : " " + field.valueIn(before) + "→" + field.valueIn(after)))
        .toList();
    if (changed.size() == 1) {
      String only = changed.get(0);
      int space = only.indexOf(' ');
      return only.substring(0, space) + " " + after.name() + only.substring(space);
    }
    return after.name() + ": " + (changed.isEmpty() ? "no field changed" : String.join(", ", changed));
  }

  /** Which fields changed, secrets named but not shown. */
  private static String changes(Instance before, Instance after) {
    return Arrays.stream(InstanceField.values())
        .filter(field -> !Objects.equals(field.valueIn(before), field.valueIn(after)))
        .map(field -> field.secret() ? field.key() + " changed" : field.key() + "=" + field.valueIn(after))
        .collect(Collectors.joining(", "));
  }
}
