package dev.ollamabridge.agent;

import dev.ollamabridge.cli.HostPort;
import dev.ollamabridge.console.nginx.ManagedNginx;
import dev.ollamabridge.console.nginx.NginxBinary;
import dev.ollamabridge.console.nginx.NginxLogRotation;
import dev.ollamabridge.console.nginx.NginxTransaction;
import dev.ollamabridge.console.nginx.NjsRouting;
import dev.ollamabridge.console.supervise.Supervisor;
import dev.ollamabridge.link.EdgeReport;
import dev.ollamabridge.link.EdgeSpec;
import dev.ollamabridge.link.LinkPaths;
import dev.ollamabridge.logs.LogText;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.regex.Pattern;
import okhttp3.OkHttpClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The nginx this host runs as an edge of the cluster: the console's {@link EdgeSpec} applied with the
 * console's own {@link NginxTransaction} to a master under the agent's supervisor (so a crash is
 * restarted and a restarted agent adopts it), with its prefix, config, logs and temp files under
 * {@code <agent data>/nginx}, its owner's only.
 *
 * <p>The config names its files relative to that prefix, and imports the routing script as
 * {@code js_import router from router.js;}, which njs finds beside the config: {@code <prefix>/conf/router.js},
 * written here before every apply. The config has no {@code user} line: when the agent runs as root its
 * workers would otherwise run as {@code nobody} and could not read the prefix, so {@code nginx -t} and
 * the master get {@code -g "user root;"}.
 *
 * <p>Applies and removals are synchronized (the link's thread makes them); a report reads what they
 * left without waiting for one in progress.
 */
public final class EdgeNginx {

  /** The supervisor's name for the master: no bridge can have it, as instance names hold no '.'. */
  public static final String PROGRAM = "edge.nginx";
  private static final Logger log = LoggerFactory.getLogger(EdgeNginx.class);
  private static final Pattern HASH = Pattern.compile("[A-Za-z0-9._-]{1,128}");
  private static final int MAX_OUTPUT_CHARS = 8 * 1024;
  private static final int MAX_MESSAGE_CHARS = 1000;
  private static final Duration VERIFY_TIMEOUT = Duration.ofSeconds(10);
  /** The probe of a report: short, as a report does not wait for an nginx that hangs. */
  private static final Duration PROBE_TIMEOUT = Duration.ofMillis(300);

  /** The last apply attempt, as a report tells it. */
  private record Attempt(String hash, String result, String message, String output, long atEpochMs) {}

  private final String binary;
  private final Path prefix;
  private final ManagedNginx nginx;
  private final NginxTransaction transaction;
  private final OkHttpClient probe;
  private volatile HostPort listen;
  private volatile EdgeSpec wanted;
  private volatile Attempt last;
  private volatile String version;
  private boolean adopted;
  /** The revision nginx was last seen to serve, and since when; guarded by itself. */
  private final Served served = new Served();

  private static final class Served {
    private String hash;
    private long sinceEpochMs;

    /** Notes what nginx serves now (null: nothing), keeping the moment it began. */
    synchronized long seen(String now, long atEpochMs) {
      if (now == null || !now.equals(hash)) {
        hash = now;
        sinceEpochMs = now == null ? 0 : atEpochMs;
      }
      return sinceEpochMs;
    }
  }

  /**
   * @param binary the nginx executable, or null when this host has none (every apply then fails, saying so)
   * @param dataDir the agent's data directory; nginx's prefix is its {@code nginx/}
   */
  public EdgeNginx(String binary, Path dataDir, Supervisor supervisor, OkHttpClient http) {
    this.binary = binary;
    this.prefix = dataDir.toAbsolutePath().normalize().resolve("nginx");
    this.nginx = new ManagedNginx(binary == null ? "nginx" : binary, prefix, supervisor, () -> listen, PROGRAM,
        workerUser());
    this.transaction = new NginxTransaction(nginx, http, VERIFY_TIMEOUT);
    this.probe = http.newBuilder().callTimeout(PROBE_TIMEOUT).build();
  }

  /**
   * The {@code -g} that makes the workers run as the agent's user: only root's workers would drop to
   * another user ({@code nobody}); anyone else's stay its own, and nginx would warn about the line.
   */
  static String workerUser() {
    return "root".equals(System.getProperty("user.name")) ? "user root;" : null;
  }

  /**
   * Makes nginx serve this edge config: a no-op when it serves it already, started when it is down, the
   * config checked first and refused (the previous one serving on) when it is unfit. Level-triggered:
   * the same spec again changes nothing. True when nginx serves it.
   */
  public synchronized boolean apply(EdgeSpec spec) {
    wanted = spec;
    Optional<String> unfit = unfit(spec);
    if (unfit.isPresent()) {
      return attempt(spec.hash(), "rejected", "edge refused: " + unfit.get(), null, false);
    }
    if (binary == null) {
      return attempt(spec.hash(), "failed", "no nginx on this host: install it, or give the agent --nginx PATH", null,
          false);
    }
    listen = HostPort.parse(spec.listen());
    if (!adopted) {
      nginx.startIfConfigured(); // a master the previous agent left running is adopted, not started twice
      adopted = true;
    }
    try {
      NjsRouting.writeScript(prefix.resolve("conf"));
    } catch (RuntimeException e) {
      return attempt(spec.hash(), "failed", "cannot write the routing script: " + e.getMessage(), null, false);
    }
    NginxTransaction.Outcome outcome = transaction.apply(spec.config(), spec.hash(), listen);
    if (outcome.applied() && !nginx.supervisedAt(listen)) {
      return restartedAt(spec, outcome);
    }
    Attempt before = last;
    if (outcome.alreadyServing() && before != null && spec.hash().equals(before.hash())
        && before.result().equals("applied")) {
      return true;
    }
    return attempt(spec.hash(), outcome.result().word(), outcome.message(), outcome.testOutput(), outcome.applied());
  }

  /**
   * nginx serves the new config on another address now, but a crash would be started again and checked
   * at the old one: the master is started anew, for the supervisor to know where it listens.
   */
  private boolean restartedAt(EdgeSpec spec, NginxTransaction.Outcome outcome) {
    log.info("edge nginx moves to {}: starting its master anew", listen);
    nginx.stop();
    String started = nginx.reload().output();
    if (transaction.serves(spec.hash(), listen, VERIFY_TIMEOUT)) {
      return attempt(spec.hash(), "applied", "applied; nginx was started again to listen on " + listen,
          outcome.testOutput(), true);
    }
    return attempt(spec.hash(), "failed", "applied, but nginx did not serve it on " + listen + " when started again",
        outcome.testOutput() + "\n" + started, false);
  }

  /** The host is no edge (any more): its nginx is stopped and forgotten; its files stay. */
  public synchronized void remove() {
    if (wanted == null && !adopted) {
      return;
    }
    nginx.stop();
    log.info("edge nginx stopped: this host is no edge");
    wanted = null;
    adopted = false;
    last = null;
    served.seen(null, 0);
  }

  /** What nginx serves now (asked at once, briefly) and how the last apply went; null when the host is no edge. */
  public EdgeReport report() {
    if (wanted == null) {
      return null;
    }
    HostPort address = listen;
    String now = address == null ? null
        : NginxTransaction.served(address, probe).map(hash -> LogText.oneLine(hash, 130)).orElse(null);
    long since = served.seen(now, System.currentTimeMillis());
    Attempt attempt = last;
    return new EdgeReport(now, since, attempt == null ? null : attempt.hash(),
        attempt == null ? null : attempt.result(), attempt == null ? null : attempt.message(),
        attempt == null ? null : attempt.output(), attempt == null ? 0 : attempt.atEpochMs(), version());
  }

  /**
   * Keeps this edge's nginx logs bounded, as the console keeps its own nginx's: each past {@code maxBytes}
   * is moved to {@code NAME.1} every {@code every}, and nginx told to reopen them while this host is an edge.
   */
  public NginxLogRotation rotateLogs(long maxBytes, Duration every) {
    return NginxLogRotation.start(prefix.resolve("logs"), () -> maxBytes, () -> {
      if (wanted != null) { // else no nginx runs here to reopen them: a started one opens new files
        nginx.reopenLogs();
      }
    }, every);
  }

  /** The edge config last asked for, or null: kept with the desired state, for a restart. */
  public EdgeSpec wanted() {
    return wanted;
  }

  private boolean attempt(String hash, String result, String message, String output, boolean serving) {
    String line = LogText.oneLine(message, MAX_MESSAGE_CHARS);
    last = new Attempt(hash == null ? null : LogText.oneLine(hash, 130), result, line, output == null ? null : bounded(output), System.currentTimeMillis());
    if (serving) {
      log.info("edge nginx serves revision {}: {}", hash, line);
      served.seen(hash, last.atEpochMs());
    } else {
      log.warn("edge nginx revision {} {}: {}", LogText.oneLine(String.valueOf(hash), 130), result, line);
    }
    return serving;
  }

  /** Why the console's spec cannot be applied, naming the field and the rule; empty when it can. */
  static Optional<String> unfit(EdgeSpec spec) {
    if (spec.hash() == null || !HASH.matcher(spec.hash()).matches()) {
      return Optional.of("hash must be 1-128 letters, digits, '.', '_' or '-'");
    }
    if (spec.config() == null || spec.config().isEmpty() || spec.config().length() > LinkPaths.MAX_FRAME_BYTES
        || spec.config().indexOf('\0') >= 0) {
      return Optional.of("config must be 1-" + LinkPaths.MAX_FRAME_BYTES + " characters without a NUL");
    }
    String named = NginxTransaction.hashOf(spec.config());
    if (!named.equals(spec.hash())) {
      return Optional.of("config's '# Revision' line names " + LogText.oneLine(named, 130) + ", not the hash "
          + spec.hash());
    }
    try {
      HostPort address = HostPort.parse(String.valueOf(spec.listen()));
      if (!HostPort.isHost(address.host())) {
        return Optional.of("listen must be HOST:PORT with an IP address or host name");
      }
    } catch (IllegalArgumentException e) {
      return Optional.of("listen must be HOST:PORT with a port of 1-65535");
    }
    return Optional.empty();
  }

  /** {@code <binary> <version>}, asked of {@code nginx -v} once. */
  private String version() {
    if (binary == null) {
      return null;
    }
    if (version == null) {
      version = binary + NginxBinary.version(binary).map(said -> " " + said).orElse("");
    }
    return version;
  }

  private static String bounded(String output) {
    return output.length() <= MAX_OUTPUT_CHARS ? output
        : output.substring(0, MAX_OUTPUT_CHARS) + "\n(" + (output.length() - MAX_OUTPUT_CHARS) + " more characters)";
  }
}
