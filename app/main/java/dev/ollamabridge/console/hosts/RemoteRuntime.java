package dev.ollamabridge.console.hosts;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ollamabridge.console.cache.RedisTarget;
import dev.ollamabridge.console.instances.BridgeLaunch;
import dev.ollamabridge.console.instances.HostRuntime;
import dev.ollamabridge.console.instances.Instance;
import dev.ollamabridge.console.supervise.ProcessState;
import dev.ollamabridge.console.supervise.ProgramStatus;
import dev.ollamabridge.digest.Sha256;
import dev.ollamabridge.link.BridgeSpec;
import dev.ollamabridge.link.Desired;
import dev.ollamabridge.link.EdgeSpec;
import dev.ollamabridge.link.KeyRules;
import dev.ollamabridge.link.ProgramReport;
import dev.ollamabridge.link.Reply;
import dev.ollamabridge.link.Report;
import dev.ollamabridge.link.Request;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;

/**
 * A host that joined, as the instances see it: what it is to run is its desired state, a document
 * this object renders from the bridges it was told to start, with a revision that goes up whenever
 * the document changes; what it runs is what its agent last reported. It plays the supervisor's
 * part for that host, over the agent's link.
 */
final class RemoteRuntime implements HostRuntime {

  /** How long a stop or a removal waits for the agent to report it done. */
  static final Duration CONFIRM = Duration.ofSeconds(60);
  /** How long a log tail or a file may take to come back. */
  static final Duration REPLY = Duration.ofSeconds(10);

  private final String name;
  private final HostRepository repository;
  private final ObjectMapper json;
  private final BridgeLaunch launch;
  private final Map<String, BridgeSpec> programs = new ConcurrentSkipListMap<>();
  private final Map<String, CompletableFuture<Reply>> replies = new ConcurrentHashMap<>();
  private final List<Awaited> awaited = new CopyOnWriteArrayList<>();
  private volatile String advertise;
  private volatile AgentLink link;
  private volatile Report last;
  private volatile boolean publishing;
  private EdgeSpec edge;
  private KeyRules keys;
  private long revision;
  private String hash;

  /** A stop or removal waiting for the report that shows it done. */
  private record Awaited(Predicate<Report> done, CompletableFuture<Report> future) {}

  /** @param launch how bridges are launched: this host's get the same flags but their cache directory */
  RemoteRuntime(Host host, HostRepository repository, ObjectMapper json, BridgeLaunch launch) {
    this.launch = launch;
    this.name = host.name();
    this.advertise = host.advertise();
    this.revision = host.desiredRevision();
    this.hash = host.desiredHash();
    this.repository = repository;
    this.json = json;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public boolean local() {
    return false;
  }

  @Override
  public String advertise() {
    return advertise;
  }

  @Override
  public ProgramStatus start(Instance instance) {
    programs.put(instance.name(), spec(instance, true));
    publish();
    return status(instance).filter(status -> status.state() != ProcessState.STOPPED)
        .orElseGet(() -> new ProgramStatus(instance.name(), ProcessState.STARTING, null, Instant.now(), 0, null,
            "sent to host " + name));
  }

  @Override
  public CompletableFuture<ProgramStatus> stop(Instance instance) {
    programs.computeIfPresent(instance.name(), (key, spec) -> spec(instance, false));
    publish();
    return confirmed(report -> find(report, instance.name()).map(program -> !running(program)).orElse(true))
        .thenApply(report -> status(instance).orElseGet(() -> stopped(instance, null)))
        .exceptionally(failure -> stopped(instance, "host " + name + " has not confirmed the stop yet: "
            + "its agent stops the bridge when it gets the new desired state"));
  }

  @Override
  public CompletableFuture<Void> remove(Instance instance) {
    programs.remove(instance.name());
    publish();
    return confirmed(report -> find(report, instance.name()).isEmpty())
        .handle((report, failure) -> null);
  }

  @Override
  public Optional<ProgramStatus> status(Instance instance) {
    Report report = last;
    return report == null ? Optional.empty() : find(report, instance.name()).map(RemoteRuntime::status);
  }

  @Override
  public List<String> tail(Instance instance, int lines) {
    Reply reply = ask(new Request(UUID.randomUUID().toString(), Request.TAIL, instance.name(), lines));
    return reply.lines() == null ? List.of() : reply.lines();
  }

  /**
   * The lines the agent answers a request for its logs with ({@link Request#REQUESTS}, {@link Request#ACCESS},
   * {@link Request#NGINX_ERRORS}), or a {@link HostUnavailable} once {@code within} has passed: a page
   * that asks several hosts at once waits for none longer than that.
   */
  CompletableFuture<List<String>> logLines(String what, String program, int lines, Duration within) {
    AgentLink current = link;
    if (current == null) {
      return CompletableFuture.failedFuture(new HostUnavailable("host " + name + " is not connected"));
    }
    Request request = new Request(UUID.randomUUID().toString(), what, program, lines);
    CompletableFuture<Reply> answer = new CompletableFuture<>();
    replies.put(request.id(), answer);
    current.send(request);
    return answer.orTimeout(within.toMillis(), TimeUnit.MILLISECONDS)
        .whenComplete((reply, failure) -> replies.remove(request.id()))
        .handle((reply, failure) -> {
          if (failure != null) {
            throw new HostUnavailable(failure instanceof TimeoutException || failure.getCause() instanceof TimeoutException
                ? "host " + name + " did not answer within " + within.toMillis() + " ms"
                : "host " + name + " could not answer: " + failure.getMessage());
          }
          if (reply.error() != null) {
            throw new HostUnavailable("host " + name + " could not answer: " + reply.error());
          }
          return reply.lines() == null ? List.of() : reply.lines();
        });
  }

  /** The host's supervisor.conf, as its agent renders it with its own paths. */
  String supervisorConf() {
    Reply reply = ask(new Request(UUID.randomUUID().toString(), Request.SUPERVISOR_CONF, null, 0));
    return reply.text() == null ? "" : reply.text();
  }

  /**
   * Makes the host an edge running this nginx configuration, or (null) no edge; sent at once when it
   * differs from the one the host was last given.
   */
  void edge(EdgeSpec spec) {
    synchronized (this) {
      if (Objects.equals(edge, spec)) {
        return;
      }
      edge = spec;
    }
    publish();
  }

  /** Gives the host the cluster's client keys (null: none); sent at once when they differ from the last. */
  void keys(KeyRules rules) {
    synchronized (this) {
      if (Objects.equals(keys, rules)) {
        return;
      }
      keys = rules;
    }
    publish();
  }

  /**
   * The document the host should run now; its revision goes up when its content changed (its bridges,
   * its edge, the client keys). A host that is no edge hashes its bridges only, as before edges were, so
   * its revision stays where it was.
   */
  synchronized Desired desired() {
    List<BridgeSpec> bridges = List.copyOf(programs.values());
    String now;
    try {
      now = Sha256.hex(json.writeValueAsString(bridges) + (edge == null ? "" : "\n" + json.writeValueAsString(edge))
          + (keys == null ? "" : "\nkeys " + json.writeValueAsString(keys)));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
    if (!now.equals(hash)) {
      revision++;
      hash = now;
      repository.desired(name, revision, hash);
    }
    return new Desired(name, revision, bridges, edge, keys);
  }

  /** From now on every change is sent to the agent: the console has told this host everything it runs. */
  void open() {
    publishing = true;
    publish();
  }

  void connected(AgentLink link) {
    AgentLink before = this.link;
    this.link = link;
    if (before != null && !before.equals(link)) {
      before.close(1000, "replaced by a newer connection of the same host");
    }
    publish();
  }

  void disconnected(AgentLink link) {
    if (link.equals(this.link)) {
      this.link = null;
    }
  }

  /** Closes the link with a refusal: the host was revoked. */
  void refuse(int code, String reason) {
    AgentLink current = link;
    link = null;
    if (current != null) {
      current.close(code, reason);
    }
  }

  boolean connected() {
    return link != null;
  }

  Report lastReport() {
    return last;
  }

  void reported(Report report) {
    last = report;
    advertise = report.facts().advertise();
    for (Awaited waiting : awaited) {
      if (waiting.done().test(report)) {
        awaited.remove(waiting);
        waiting.future().complete(report);
      }
    }
  }

  void replied(Reply reply) {
    CompletableFuture<Reply> waiting = reply.id() == null ? null : replies.remove(reply.id());
    if (waiting != null) {
      waiting.complete(reply);
    }
  }

  private void publish() {
    if (!publishing) {
      return;
    }
    Desired desired = desired();
    AgentLink current = link;
    if (current != null) {
      current.send(desired);
    }
  }

  /**
   * Completes with the first report of the revision just published (or a later one) in which {@code
   * holds} holds; at once when the host is not connected.
   */
  private CompletableFuture<Report> confirmed(Predicate<Report> holds) {
    Report report = last;
    if (link == null || !publishing) {
      return CompletableFuture.completedFuture(report);
    }
    long published = revisionNow();
    Predicate<Report> done = candidate -> candidate.applied() >= published && holds.test(candidate);
    CompletableFuture<Report> future = new CompletableFuture<>();
    Awaited waiting = new Awaited(done, future);
    awaited.add(waiting);
    if (report != null && done.test(report)) {
      awaited.remove(waiting);
      future.complete(report);
    }
    return future.orTimeout(CONFIRM.toMillis(), TimeUnit.MILLISECONDS)
        .whenComplete((result, failure) -> awaited.remove(waiting));
  }

  private synchronized long revisionNow() {
    return revision;
  }

  private Reply ask(Request request) {
    AgentLink current = link;
    if (current == null) {
      throw new HostUnavailable("host " + name + " is not connected: its agent answers when it is");
    }
    CompletableFuture<Reply> answer = new CompletableFuture<>();
    replies.put(request.id(), answer);
    try {
      current.send(request);
      Reply reply = answer.get(REPLY.toMillis(), TimeUnit.MILLISECONDS);
      if (reply.error() != null) {
        throw new HostUnavailable("host " + name + " could not answer: " + reply.error());
      }
      return reply;
    } catch (TimeoutException e) {
      throw new HostUnavailable("host " + name + " did not answer within " + REPLY.toSeconds() + " s");
    } catch (ExecutionException e) {
      throw new HostUnavailable("host " + name + " could not answer: " + e.getCause().getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new HostUnavailable("interrupted while waiting for host " + name);
    } finally {
      replies.remove(request.id());
    }
  }

  private BridgeSpec spec(Instance instance, boolean run) {
    RedisTarget redis = launch.redis();
    return new BridgeSpec(instance.name(), BridgeLaunch.placedArguments(instance, redis, launch.retention()), BridgeLaunch.environment(instance, redis),
        instance.listenHost(), instance.port(), instance.cacheEnabled(), run);
  }

  private static Optional<ProgramReport> find(Report report, String program) {
    return report == null ? Optional.empty()
        : report.programs().stream().filter(p -> p.name().equals(program)).findFirst();
  }

  private static boolean running(ProgramReport program) {
    return switch (state(program)) {
      case STOPPED, EXITED, FATAL -> false;
      default -> true;
    };
  }

  private static ProcessState state(ProgramReport program) {
    try {
      return ProcessState.valueOf(program.state());
    } catch (IllegalArgumentException | NullPointerException e) {
      return ProcessState.FATAL;
    }
  }

  private static ProgramStatus status(ProgramReport program) {
    return new ProgramStatus(program.name(), state(program), program.pid(), Instant.ofEpochMilli(program.sinceEpochMs()),
        program.restarts(), program.lastExitCode(), program.message());
  }

  private ProgramStatus stopped(Instance instance, String message) {
    return new ProgramStatus(instance.name(), ProcessState.STOPPED, null, Instant.now(), 0, null, message);
  }
}
