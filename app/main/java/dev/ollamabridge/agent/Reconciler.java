package dev.ollamabridge.agent;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ollamabridge.console.instances.SelfCommand;
import dev.ollamabridge.console.supervise.ProcessState;
import dev.ollamabridge.console.supervise.ProgramSpec;
import dev.ollamabridge.console.supervise.ProgramStatus;
import dev.ollamabridge.console.supervise.Supervisor;
import dev.ollamabridge.files.OwnerOnly;
import dev.ollamabridge.link.BridgeSpec;
import dev.ollamabridge.link.Desired;
import dev.ollamabridge.link.EdgeReport;
import dev.ollamabridge.link.EdgeSpec;
import dev.ollamabridge.link.KeyRules;
import dev.ollamabridge.link.ProgramReport;
import dev.ollamabridge.logs.LogText;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes this host run what the console's {@link Desired} says, as one transaction: the whole document is
 * checked first and refused whole when any of it is wrong (the previous one keeps running, and
 * {@link #applyError()} says why); then what went away or launches differently is stopped (SIGTERM lets
 * requests in flight finish; the console has taken it out of nginx already), what is not to run is
 * stopped, and what is to run is started. Level-triggered: applying the same document again changes
 * nothing but a bridge that had given up (FATAL), which is tried again.
 *
 * <p>The document applied is kept in {@code <data>/desired.json} ({@code 0600}), written only once it is
 * applied, so that a restarted agent {@link #resume() resumes} it with the console away; the supervisor
 * adopts the bridges still running instead of starting them again. Crashed bridges are the supervisor's
 * to restart, console or no console.
 *
 * <p>The document's edge, when it makes this host one, is applied after the bridges as a transaction
 * of its own ({@link EdgeNginx}): a refused edge config does not refuse the bridges, nor the reverse;
 * no edge stops the edge nginx. {@code desired.json} keeps the edge last asked for with the bridges
 * applied, so a restarted agent adopts its nginx and finds it serving.
 *
 * <p>{@link #apply} is meant for one thread at a time (it is synchronized); the readers may run on any.
 */
public final class Reconciler {

  private static final Logger log = LoggerFactory.getLogger(Reconciler.class);
  static final String FILE = "desired.json";
  /** How long a stop may take before the new bridges start regardless: past the SIGKILL of the supervisor's stop. */
  /** An error goes back to the console in every report: it names fields, it does not quote documents. */
  private static final int MAX_ERROR_CHARS = 1000;
  private static final Duration STOP_PATIENCE = Duration.ofSeconds(30);

  private final Supervisor supervisor;
  private final BridgePrograms programs;
  private final EdgeNginx edge;
  private final String host;
  private final Path file;
  private final ObjectMapper json = LinkJson.mapper();
  private volatile Desired applied;
  private volatile Instant appliedAt = Instant.now();
  private volatile String applyError;
  private volatile KeyRules keys;

  /**
   * @param dataDir the agent's data directory: the bridges' work directory, {@code cache/}, {@code desired.json}
   * @param bridges the agent's own program on the bridges' java
   * @param host this agent's host name: a document for another host is refused
   * @param edge the nginx this host runs when the document makes it an edge
   */
  public Reconciler(Supervisor supervisor, Path dataDir, SelfCommand bridges, String host, EdgeNginx edge) {
    this.supervisor = supervisor;
    this.programs = new BridgePrograms(bridges, dataDir);
    this.edge = edge;
    this.host = host;
    this.file = programs.dataDir().resolve(FILE);
  }

  /**
   * Applies the document the agent ran before it stopped, if there is one: its bridges that still run are
   * adopted, the others started. A file that cannot be read or applied is reported and left for the
   * console's next document to replace.
   */
  public void resume() {
    Desired kept;
    try {
      kept = json.readValue(Files.readString(file), Desired.class);
    } catch (NoSuchFileException e) {
      return; // never applied one
    } catch (IOException | RuntimeException e) {
      applyError = LogText.oneLine("cannot read " + file + ": " + e.getMessage(), MAX_ERROR_CHARS);
      log.warn("{}", applyError);
      return;
    }
    log.info("resuming revision {} from {}: {} bridges{}", kept.revision(), file, kept.bridges().size(),
        kept.edge() == null ? "" : ", edge revision " + LogText.oneLine(String.valueOf(kept.edge().hash()), 130));
    apply(kept);
  }

  /**
   * Applies the document: its bridges, or none of them when any is wrong; then its edge, on its own (what
   * nginx made of it is in {@link #edgeReport()}). True when the bridges were applied. A document for
   * another host, or without a revision, is refused whole.
   */
  public synchronized boolean apply(Desired desired) {
    try {
      DesiredRules.checkDocument(desired, host);
    } catch (IllegalArgumentException | NullPointerException e) {
      refused(desired, e);
      return false;
    }
    if (!writeKeys(desired)) {
      return false;
    }
    boolean bridges = applyBridges(desired);
    if (desired.edge() != null) {
      edge.apply(desired.edge());
    } else {
      edge.remove();
    }
    store();
    return bridges;
  }

  /**
   * Writes the client keys the bridges watch, before any bridge starts: the document's, or none required
   * when no document ever carried keys (a bridge whose file is missing refuses every request). A file
   * that cannot be written refuses the document: its bridges would run on keys it does not carry.
   */
  private boolean writeKeys(Desired desired) {
    Path file = programs.keysFile();
    try {
      if (desired.keys() != null) {
        String text = json.writeValueAsString(desired.keys());
        if (!Files.exists(file) || !Files.readString(file).equals(text)) { // the bridges re-read a file that changed
          OwnerOnly.writeString(file, text);
        }
        keys = desired.keys();
      } else if (!Files.exists(file)) {
        OwnerOnly.writeString(file, json.writeValueAsString(KeyRules.OPEN));
      }
      return true;
    } catch (IOException e) {
      refused(desired, new IllegalStateException("cannot write the client keys to " + file + ": " + e.getMessage()));
      return false;
    }
  }

  /** What the host's edge nginx serves and how its last apply went; null when the host is no edge. */
  public EdgeReport edgeReport() {
    return edge.report();
  }

  private void refused(Desired desired, RuntimeException e) {
    applyError = LogText.oneLine("revision " + desired.revision() + " refused, revision " + appliedRevision()
        + " still runs: " + e.getMessage(), MAX_ERROR_CHARS);
    log.warn("{}", applyError);
  }

  private boolean applyBridges(Desired desired) {
    Map<String, ProgramSpec> specs;
    try {
      specs = DesiredRules.check(desired, host, programs);
    } catch (IllegalArgumentException | NullPointerException e) {
      refused(desired, e);
      return false;
    }
    Map<String, BridgeSpec> wanted = byName(desired);
    Map<String, BridgeSpec> before = applied == null ? Map.of() : byName(applied);
    List<CompletableFuture<?>> leaving = new ArrayList<>();
    for (BridgeSpec old : before.values()) {
      BridgeSpec now = wanted.get(old.name());
      if (now == null || !now.launchesLike(old)) {
        log.info("{}: {}", old.name(), now == null ? "removed" : "launches differently now: restarting");
        leaving.add(supervisor.remove(old.name()));
      } else if (!now.run() && supervisor.status(old.name()).isPresent()) {
        leaving.add(supervisor.stop(old.name()));
      }
    }
    awaitStops(leaving);
    for (BridgeSpec bridge : desired.bridges()) {
      if (bridge.run()) {
        supervisor.start(specs.get(bridge.name()));
      }
    }
    applied = desired;
    appliedAt = Instant.now();
    applyError = null;
    log.info("applied revision {}: {} bridges, {} to run", desired.revision(), desired.bridges().size(),
        desired.bridges().stream().filter(BridgeSpec::run).count());
    return true;
  }

  /** The revision this host runs; 0 before any. */
  public long appliedRevision() {
    Desired current = applied;
    return current == null ? 0 : current.revision();
  }

  /** Why the last document was refused, or null when the last one was applied. */
  public String applyError() {
    return applyError;
  }

  /** The document this host runs. */
  public Optional<Desired> applied() {
    return Optional.ofNullable(applied);
  }

  /**
   * Every program as the supervisor sees it, by name; a bridge of the document the supervisor has not met
   * (one that is not to run) is STOPPED.
   */
  public List<ProgramReport> programs() {
    Map<String, ProgramReport> reports = new TreeMap<>();
    applied().ifPresent(current -> current.bridges().forEach(bridge -> reports.put(bridge.name(),
        new ProgramReport(bridge.name(), ProcessState.STOPPED.name(), null, appliedAt.toEpochMilli(), 0, null, null))));
    for (ProgramStatus status : supervisor.statuses()) {
      reports.put(status.name(), new ProgramReport(status.name(), status.state().name(), status.pid(),
          status.since().toEpochMilli(), status.restarts(), status.lastExitCode(), status.message()));
    }
    return List.copyOf(reports.values());
  }

  BridgePrograms bridgePrograms() {
    return programs;
  }

  Supervisor supervisor() {
    return supervisor;
  }

  private void awaitStops(List<CompletableFuture<?>> stops) {
    try {
      CompletableFuture.allOf(stops.toArray(CompletableFuture[]::new)).get(STOP_PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException | TimeoutException e) {
      log.warn("not every bridge stopped in {} s: {}", STOP_PATIENCE.toSeconds(), e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while bridges stopped", e);
    }
  }

  /** Keeps the bridges applied and the edge last asked for, once there is either. */
  private void store() {
    Desired bridges = applied;
    EdgeSpec wantedEdge = edge.wanted();
    if (bridges == null && wantedEdge == null) {
      return;
    }
    // no bridges applied yet (the first document's were refused): the edge alone, under the first revision
    Desired kept = bridges == null ? new Desired(host, 1, List.of(), wantedEdge, keys)
        : new Desired(host, bridges.revision(), bridges.bridges(), wantedEdge, keys);
    try {
      OwnerOnly.writeString(file, json.writerWithDefaultPrettyPrinter().writeValueAsString(kept));
    } catch (IOException e) {
      // it runs all the same; only an agent restarted while the console is away would not know it
      applyError = "applied revision " + kept.revision() + " but cannot keep it in " + file + ": " + e;
      log.warn("{}", applyError);
    }
  }

  private static Map<String, BridgeSpec> byName(Desired desired) {
    return desired.bridges().stream().collect(Collectors.toMap(BridgeSpec::name, Function.identity(),
        (first, second) -> first, LinkedHashMap::new));
  }
}
