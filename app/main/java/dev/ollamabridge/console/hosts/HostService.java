package dev.ollamabridge.console.hosts;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ollamabridge.cli.HostPort;
import dev.ollamabridge.cli.Version;
import dev.ollamabridge.console.events.EventLog;
import dev.ollamabridge.console.instances.HostRuntime;
import dev.ollamabridge.console.instances.HostRuntimes;
import dev.ollamabridge.console.instances.InvalidInput;
import dev.ollamabridge.console.instances.LocalRuntime;
import dev.ollamabridge.console.store.Database;
import dev.ollamabridge.link.EdgeReport;
import dev.ollamabridge.link.EdgeSpec;
import dev.ollamabridge.link.JoinAnswer;
import dev.ollamabridge.link.JoinRequest;
import dev.ollamabridge.link.KeyRules;
import dev.ollamabridge.link.LinkPaths;
import dev.ollamabridge.link.Reply;
import dev.ollamabridge.link.Report;
import dev.ollamabridge.link.Request;
import dev.ollamabridge.logs.LogText;
import dev.ollamabridge.pki.Fingerprints;
import dev.ollamabridge.pki.Pem;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BiConsumer;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The hosts bridges run on: adding one (a join token and the command to paste), its agent joining
 * and linking, its reports, Ready and NotReady, revoking it. Also the instances' way to a host's
 * runtime ({@link HostRuntimes}): {@code local} in this process, every other host through its agent.
 */
public final class HostService implements HostRuntimes, AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(HostService.class);
  /** Three missed reports: the host is NotReady and its bridges leave nginx. */
  public static final Duration SILENCE = Duration.ofSeconds(3L * LinkPaths.REPORT_SECONDS);
  /**
   * How long a console that starts again gives a host it has not heard from yet, counted from when
   * its agent listener accepts links: the longest an agent waits before dialling again, then the
   * silence of three reports. Sooner, a console that comes back would take every Ready host's bridges
   * out of nginx (its own and the edges') before their agents could have found it again.
   */
  public static final Duration RETURN_GRACE = Duration.ofSeconds(LinkPaths.REDIAL_MAX_SECONDS).plus(SILENCE);
  static final Duration CERTIFICATE_LIFETIME = Duration.ofDays(365);
  private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");

  /**
   * A host as the Hosts page and the API show it: the row, and what is known of it right now.
   *
   * @param linkBytes what its agent sent over its link since this console started (reports, replies)
   */
  public record HostView(Host host, boolean connected, Instant lastSeen, Report report, long linkBytes) {}

  /** A new join token and the command that uses it: shown once. */
  public record Added(String host, String token, Instant expiresAt, String command, String fingerprint) {}

  private final HostRepository repository;
  private final JoinTokens tokens;
  private final EventLog events;
  private final LocalRuntime local;
  private final Optional<AgentAccess> access;
  private final Clock clock;
  private final ObjectMapper json;
  private final Map<String, RemoteRuntime> remotes = new ConcurrentHashMap<>();
  private final Map<String, Instant> lastSeen = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> received = new ConcurrentHashMap<>();
  private final List<BiConsumer<String, String>> listeners = new CopyOnWriteArrayList<>();
  private final List<EdgeListener> edgeListeners = new CopyOnWriteArrayList<>();
  private volatile KeyRules keys;
  /** From when a host not heard from since this console started counts as silent; null: not yet. */
  private volatile Instant silentFrom;
  private final ScheduledExecutorService watch = Executors.newSingleThreadScheduledExecutor(task -> {
    Thread thread = new Thread(task, "host-watch");
    thread.setDaemon(true);
    return thread;
  });

  /**
   * @param access how agents reach this console; empty while its agent listener is off
   */
  public HostService(Database database, ObjectMapper json, EventLog events, LocalRuntime local,
      Optional<AgentAccess> access, Clock clock) {
    this.repository = new HostRepository(database, json);
    this.tokens = new JoinTokens(database, clock);
    this.events = events;
    this.local = local;
    this.access = access;
    this.clock = clock;
    this.json = json;
    for (Host host : repository.all()) {
      if (!host.local()) {
        remotes.put(host.name(), new RemoteRuntime(host, repository, json, local.launch()));
      }
    }
  }

  /** {@code (host, cause)} on every change that moves bridges in or out of nginx. */
  public void addListener(BiConsumer<String, String> listener) {
    listeners.add(listener);
  }

  /** Told when a host's edge role changes and when an edge's report says something new. */
  public void addEdgeListener(EdgeListener listener) {
    edgeListeners.add(listener);
  }

  /**
   * Makes a host an edge of the cluster (its agent runs an nginx the console renders for it), or no
   * edge; {@code listen} null means every address of the host.
   *
   * @throws InvalidInput a listen address that is no IP address or host name, or carries a port
   * @throws HostConflict the host is {@code local} (its nginx is the console's own) or was revoked
   * @throws HostNotFound no such host
   */
  public void edge(String name, boolean edge, String listen, String actor) {
    if (name.equals(LOCAL)) {
      throw new HostConflict("edge", "local's nginx is the console's own: it is an edge when nginx.mode is "
          + "managed or system, and none when it is off");
    }
    Host host = repository.find(name).orElseThrow(() -> new HostNotFound(name));
    if (host.state() == HostState.REVOKED) {
      throw new HostConflict("edge", "host " + name + " was revoked: join it again before making it an edge");
    }
    String address = edgeListen(listen);
    if (host.edge() == edge && Objects.equals(host.edgeListen(), address)) {
      return;
    }
    repository.edge(name, edge, address);
    events.record(actor, "host.edge", name, !edge ? "no longer an edge"
        : "edge, listening on " + (address == null ? "every address" : address) + " at nginx.listen's port");
    edgeListeners.forEach(listener -> listener.roleChanged(name));
  }

  /** A checked edge listen address: null (every address) for none or a wildcard. */
  private static String edgeListen(String listen) {
    if (listen == null || listen.isEmpty()) {
      return null;
    }
    String address = listen.startsWith("[") && listen.endsWith("]") ? listen.substring(1, listen.length() - 1) : listen;
    if (address.length() > 253 || !HostPort.isHost(address)) {
      throw new InvalidInput("edge_listen", "edge_listen must be an IP address or a host name without a port "
          + "(the port is nginx.listen's), not '" + LogText.oneLine(listen, 80) + "'");
    }
    return HostPort.isWildcard(address) ? null : address;
  }

  /**
   * Gives an edge host the nginx it is to run, or (null) tells it to run none; sent at once to a
   * connected host, and to one that connects later.
   */
  public void publishEdge(String name, EdgeSpec spec) {
    RemoteRuntime runtime = remotes.get(name);
    if (runtime != null) {
      runtime.edge(spec);
    }
  }

  /**
   * Gives every host the cluster's client keys, in its desired state: sent at once to a connected host,
   * and to one that connects or joins later. Call it before {@link #open}, so that the first document a
   * host gets carries them.
   */
  public void publishKeys(KeyRules rules) {
    keys = rules;
    remotes.values().forEach(runtime -> runtime.keys(rules));
  }

  /**
   * Starts sending desired states: call once the instances told their hosts what to run, so that no
   * agent is ever sent a document without the bridges the console has yet to tell it about.
   */
  public void open() {
    remotes.values().forEach(RemoteRuntime::open);
    if (access.isEmpty()) {
      listening(); // no agent can dial in: the hosts' silence counts from now
    }
    watch.scheduleWithFixedDelay(this::checkSilence, 1, 1, TimeUnit.SECONDS);
  }

  /**
   * Call once the agent listener accepts links: a host not heard from since this console started
   * is NotReady only after {@link #RETURN_GRACE} from now, not from when the console began to start
   * (which may have taken a while on a busy machine).
   */
  public void listening() {
    silentFrom = clock.instant().plus(RETURN_GRACE).minus(SILENCE);
  }

  public Optional<AgentAccess> access() {
    return access;
  }

  @Override
  public Optional<HostRuntime> find(String host) {
    return host.equals(LOCAL) ? Optional.of(local) : Optional.ofNullable(remotes.get(host));
  }

  @Override
  public HostRuntime placeable(String host) {
    HostRuntime runtime = of(host);
    if (!runtime.local() && repository.find(host).map(h -> h.state() == HostState.REVOKED).orElse(true)) {
      throw new InvalidInput("host", "host '" + host + "' was revoked: join it again, or choose another host");
    }
    return runtime;
  }

  public List<HostView> list() {
    return repository.all().stream().map(this::view).toList();
  }

  public HostView view(String name) {
    return repository.find(name).map(this::view).orElseThrow(() -> new HostNotFound(name));
  }

  private HostView view(Host host) {
    RemoteRuntime remote = remotes.get(host.name());
    return remote == null ? new HostView(host, true, clock.instant(), null, 0)
        : new HostView(host, remote.connected(), lastSeen.getOrDefault(host.name(), host.lastReportAt()),
            remote.lastReport(),
            Optional.ofNullable(received.get(host.name())).map(LongAdder::sum).orElse(0L));
  }

  /** Names of the hosts whose bridges nginx must not send to: not ready, or revoked. */
  public Set<String> unavailable() {
    return repository.all().stream().filter(host -> host.state() != HostState.READY).map(Host::name)
        .collect(Collectors.toSet());
  }

  /** Join tokens that can still be used. */
  public List<JoinTokens.Pending> pendingJoins() {
    return tokens.pending();
  }

  /**
   * A one-time token for a new host, and the command to run there.
   *
   * @throws InvalidInput a bad name
   * @throws HostConflict the name is taken by a host that is not revoked, or the agent listener is off
   */
  public Added add(String name, String actor) {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new InvalidInput("name", "name must be lower-case letters, digits and '-', starting with a letter or digit, "
          + "at most 63 characters");
    }
    if (name.equals(LOCAL)) {
      throw new HostConflict("name", "local is the console's own machine, which needs no agent");
    }
    AgentAccess agents = access.orElseThrow(() -> new HostConflict("agent_listen", "the agent listener is off: "
        + "start the console with --agent-listen HOST:PORT (and --agent-url when agents dial another address)"));
    repository.find(name).filter(host -> host.state() != HostState.REVOKED).ifPresent(host -> {
      throw new HostConflict("name", "host " + name + " has joined already; revoke it first to join it again");
    });
    JoinTokens.Created token = tokens.create(name, actor);
    events.record(actor, "host.add", name, "join token " + token.id() + " expires " + token.expiresAt());
    String command = "java -jar ollama-bridge.jar agent --console " + agents.url() + " --join " + token.token()
        + " --ca-sha256 " + agents.ca().fingerprint() + " --advertise ADDRESS-OF-THIS-HOST --data ./agent-data";
    return new Added(name, token.token(), token.expiresAt(), command, agents.ca().fingerprint());
  }

  /** Revokes a join token not yet used. */
  public void revokeToken(String id, String actor) {
    if (!tokens.revoke(id)) {
      throw new HostNotFound("join token " + id);
    }
    events.record(actor, "host.token_revoke", null, "join token " + id);
  }

  /**
   * An agent joining with its token: checks everything, uses the token up, signs the host's
   * certificate. The host is NotReady until its first report.
   *
   * @throws JoinRefused with the status to answer and the reason the agent prints
   */
  public JoinAnswer join(JoinRequest request, String from) {
    AgentAccess agents = access.orElseThrow(() -> new JoinRefused(503, "the console's agent listener is off"));
    if (request == null) {
      throw new JoinRefused(400, "the join request is empty");
    }
    String version = bounded(request.version(), "version", 40);
    checkVersion(version);
    String advertise = bounded(request.advertise(), "advertise", 255);
    if (!HostPort.isHost(advertise) || HostPort.isWildcard(advertise)) {
      throw new JoinRefused(400, "advertise must be a host name or an IP address that nginx and the console reach "
          + "this host at, not " + LogText.oneLine(advertise, 80));
    }
    bounded(request.csr(), "csr", 16 * 1024);
    String host = tokens.redeem(request.token());
    X509Certificate certificate;
    try {
      certificate = agents.ca().signClient(request.csr(), host, CERTIFICATE_LIFETIME);
    } catch (IllegalArgumentException e) {
      throw new JoinRefused(400, "the certificate request was refused: " + e.getMessage());
    }
    Instant now = clock.instant();
    repository.joined(host, advertise, version, Fingerprints.ofCertificate(certificate),
        certificate.getNotAfter().toInstant(), now);
    lastSeen.put(host, now);
    RemoteRuntime runtime = remotes.computeIfAbsent(host,
        name -> new RemoteRuntime(repository.find(name).orElseThrow(), repository, json, local.launch()));
    runtime.keys(keys);
    runtime.open();
    events.record("host:" + host, "host.join", host, "from " + LogText.oneLine(from, 80) + ", advertise " + advertise
        + ", agent " + version);
    return new JoinAnswer(host, Pem.encode(certificate), Pem.encode(agents.ca().certificate()));
  }

  /**
   * Whom an agent's link belongs to: the host whose current certificate it presents, unless revoked,
   * and only at this console's minor version.
   *
   * @throws JoinRefused why not, in one line
   */
  public String admit(X509Certificate[] chain, String version) {
    if (chain == null || chain.length == 0) {
      throw new JoinRefused(401, "the link needs the host's client certificate: join the host first");
    }
    checkVersion(version == null ? "unknown" : LogText.oneLine(version, 40));
    String fingerprint = Fingerprints.ofCertificate(chain[0]);
    Host host = repository.all().stream().filter(h -> fingerprint.equals(h.certSha256())).findFirst()
        .orElseThrow(() -> new JoinRefused(403, "this certificate is no host's: the host joined again since, "
            + "or was removed"));
    if (host.state() == HostState.REVOKED) {
      throw new JoinRefused(403, "host " + host.name() + " was revoked at " + host.changedAt()
          + "; join it again with a new token from Add host");
    }
    return host.name();
  }

  public void connected(String host, AgentLink link) {
    RemoteRuntime runtime = remotes.get(host);
    if (runtime == null) {
      link.close(LinkPaths.REFUSED, "unknown host");
      return;
    }
    runtime.connected(link);
  }

  public void disconnected(String host, AgentLink link) {
    Optional.ofNullable(remotes.get(host)).ifPresent(runtime -> runtime.disconnected(link));
  }

  /** A report: the host is seen, Ready if it was not, and its processes are known. */
  public void report(String name, Report report) {
    RemoteRuntime runtime = remotes.get(name);
    Host host = repository.find(name).orElse(null);
    if (runtime == null || host == null || host.state() == HostState.REVOKED) {
      return;
    }
    Report checked = AgentReports.bounded(report);
    Instant now = clock.instant();
    lastSeen.put(name, now);
    Report before = runtime.lastReport();
    runtime.reported(checked);
    if (!Objects.equals(host.edgeReport(), checked.edge())) {
      repository.edgeReport(name, checked.edge());
      EdgeReport earlier = host.edgeReport();
      edgeListeners.forEach(listener -> listener.reported(name, earlier, checked.edge()));
    }
    // stored when what it says of itself changes, else once a minute: memory and disk move every report
    if (before == null || before.applied() != checked.applied()
        || !before.facts().version().equals(checked.facts().version())
        || !before.facts().advertise().equals(checked.facts().advertise())
        || host.lastReportAt() == null || host.lastReportAt().isBefore(now.minusSeconds(60))) {
      repository.reported(name, checked.facts(), checked.applied(), now);
    }
    if (host.state() == HostState.NOT_READY) {
      repository.state(name, HostState.READY, now);
      events.record("host:" + name, "host.ready", name, "reporting; running revision " + checked.applied());
      changed(name, "host " + name + " ready");
    }
  }

  /** Counts what a host's agent sent over its link, a frame of {@code bytes}. */
  public void received(String host, long bytes) {
    received.computeIfAbsent(host, name -> new LongAdder()).add(bytes);
  }

  public void reply(String host, Reply reply) {
    Optional.ofNullable(remotes.get(host)).ifPresent(runtime -> runtime.replied(reply));
  }

  /**
   * What a host's agent answers a request for its logs with ({@code what}: {@link Request#REQUESTS} of the
   * bridge {@code program}, {@link Request#ACCESS} or {@link Request#NGINX_ERRORS} of its nginx); fails with
   * {@link HostUnavailable} when it is not connected or does not answer {@code within}, with {@link HostNotFound}
   * when no such host joined.
   */
  public CompletableFuture<List<String>> logLines(String host, String what, String program, int lines, Duration within) {
    RemoteRuntime runtime = remotes.get(host);
    return runtime == null ? CompletableFuture.failedFuture(new HostNotFound(host))
        : runtime.logLines(what, program, lines, within);
  }

  /** The host's supervisor.conf, rendered by its agent with its own paths. */
  public String supervisorConf(String name) {
    RemoteRuntime runtime = remotes.get(name);
    if (runtime == null) {
      throw new HostNotFound(name);
    }
    return runtime.supervisorConf();
  }

  /**
   * Revokes the host: its agent is refused from now on, its link closed, its bridges leave nginx.
   * Its bridges go on running there until its operator stops the agent's; joining again needs a new token.
   */
  public void revoke(String name, String actor) {
    if (name.equals(LOCAL)) {
      throw new HostConflict("name", "local is the console's own machine and cannot be revoked");
    }
    Host host = repository.find(name).orElseThrow(() -> new HostNotFound(name));
    tokens.revokeFor(name);
    if (host.state() == HostState.REVOKED) {
      return;
    }
    repository.state(name, HostState.REVOKED, clock.instant());
    Optional.ofNullable(remotes.get(name)).ifPresent(runtime -> runtime.refuse(LinkPaths.REFUSED,
        "host " + name + " was revoked"));
    events.record(actor, "host.revoke", name, null);
    changed(name, "revoke host " + name + " by " + actor);
  }

  private void checkSilence() {
    try {
      Instant now = clock.instant();
      for (Host host : repository.all()) {
        Instant seen = lastSeen.getOrDefault(host.name(), silentFrom);
        if (host.state() == HostState.READY && !host.local() && seen != null && seen.plus(SILENCE).isBefore(now)) {
          repository.state(host.name(), HostState.NOT_READY, now);
          events.record("hosts", "host.not_ready", host.name(), "no report since " + seen);
          changed(host.name(), "host " + host.name() + " not ready");
        }
      }
    } catch (RuntimeException e) {
      log.warn("host watch: {}", e.toString());
    }
  }

  private void changed(String host, String cause) {
    listeners.forEach(listener -> listener.accept(host, cause));
  }

  /** An agent of another minor version may speak another link: refused, with both versions named. */
  private static void checkVersion(String agent) {
    String console = Version.current();
    if (!minor(agent).equals(minor(console))) {
      throw new JoinRefused(409, "agent version " + agent + " does not match console version " + console
          + ": run an agent of version " + minor(console) + ".x");
    }
  }

  private static String minor(String version) {
    String[] parts = version.split("\\.", 3);
    return parts.length < 2 ? version : parts[0] + "." + parts[1];
  }

  private static String bounded(String value, String field, int max) {
    if (value == null || value.isBlank()) {
      throw new JoinRefused(400, field + " is missing");
    }
    if (value.length() > max) {
      throw new JoinRefused(400, field + " is longer than " + max + " characters");
    }
    return value;
  }

  @Override
  public void close() {
    watch.shutdownNow();
  }
}
