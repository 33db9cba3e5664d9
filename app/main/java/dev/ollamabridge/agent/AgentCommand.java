package dev.ollamabridge.agent;

import dev.ollamabridge.cli.HostPort;
import dev.ollamabridge.cli.LogLevels;
import dev.ollamabridge.console.instances.RequestLogRetention;
import dev.ollamabridge.console.instances.SelfCommand;
import dev.ollamabridge.console.jdk.BridgeJava;
import dev.ollamabridge.console.jdk.JdkSearch;
import dev.ollamabridge.console.nginx.NginxBinary;
import dev.ollamabridge.console.nginx.NginxLogRotation;
import dev.ollamabridge.console.store.DataDirectory;
import dev.ollamabridge.console.supervise.SupervisePolicy;
import dev.ollamabridge.console.supervise.Supervisor;
import dev.ollamabridge.link.LinkPaths;
import dev.ollamabridge.link.Report;
import dev.ollamabridge.logs.LogText;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code ollama-bridge agent}: runs the bridges the console assigns to this host. It joins once (the
 * token and the CA's fingerprint from the console's Add host), then dials the console over mutual TLS
 * and keeps the host's bridges as the console's desired state says, also while the console is away.
 * Stopping it leaves the bridges running; the next start adopts them.
 */
@Command(
    name = "agent",
    mixinStandardHelpOptions = true,
    description = "Run the bridges the console assigns to this host. Join with the command the console's"
        + " Hosts page shows; stopping the agent leaves its bridges running (the next start adopts them).")
public final class AgentCommand implements Callable<Integer> {

  private static final Logger log = LoggerFactory.getLogger(AgentCommand.class);
  /** Where the one-time token may come from instead of --join, which the process list shows. */
  static final String JOIN_VARIABLE = "OLLAMA_BRIDGE_JOIN_TOKEN";

  @Spec CommandSpec spec;

  @Option(names = "--console", required = true, paramLabel = "URL",
      description = "The console's agent listener, https://HOST:PORT (its --agent-listen or --agent-url).")
  String console;

  @Option(names = "--join", paramLabel = "TOKEN", description = "The one-time join token of the console's Add host;"
      + " needed only until this host has joined. Env: " + JOIN_VARIABLE + ".")
  String join;

  @Option(names = "--ca-sha256", paramLabel = "FINGERPRINT", description = "The console CA's fingerprint,"
      + " sha256:<64 hex digits>, as the join command shows it; needed only until this host has joined.")
  String caSha256;

  @Option(names = "--advertise", required = true, paramLabel = "ADDRESS", description = "The address (IP or host"
      + " name) at which nginx and the console reach this host's bridges.")
  String advertise;

  @Option(names = "--data", defaultValue = "./agent-data", paramLabel = "DIR",
      description = "Directory for the credentials, the desired state, logs, pid files and caches (default: ${DEFAULT-VALUE}).")
  Path data;

  @Option(names = "--bridge-java", defaultValue = JdkSearch.AUTO, paramLabel = "JAVA", description = "The java the"
      + " bridges run on: auto (the newest JDK 21 or later found in $JAVA_HOME, /usr/lib/jvm, the agent's own runtime"
      + " or on the PATH, else the agent's own runtime) or the absolute path of a JDK 17+'s bin/java (default auto).")
  String bridgeJava;

  @Option(names = "--nginx", paramLabel = "PATH", description = "The nginx this host runs when the console makes it"
      + " an edge (default: nginx on the PATH, or in /usr/sbin or /usr/local/sbin).")
  Path nginx;

  @Option(names = {"-d", "--debug"}, description = "Log at debug level.")
  boolean debug;

  @Override
  public Integer call() throws Exception {
    LogLevels.apply(debug);
    PrintWriter err = spec.commandLine().getErr();
    if (console.strip().toLowerCase(Locale.ROOT).startsWith("http://")) {
      return refused(err, "--console: plain HTTP: the agent talks to the console only over TLS; give https://HOST:PORT");
    }
    HttpUrl consoleUrl = HttpUrl.parse(console.strip());
    if (consoleUrl == null || !consoleUrl.isHttps()) {
      throw new ParameterException(spec.commandLine(), "--console: give the console's agent listener as"
          + " https://HOST:PORT, not '" + LogText.oneLine(console, 100) + "'");
    }
    checkAdvertise(consoleUrl.host());
    BridgeJava java = bridgeJava();
    String nginxBinary = nginxBinary();
    DataDirectory directory;
    try {
      directory = DataDirectory.lock(data, "agent", Reconciler.FILE);
    } catch (DataDirectory.InUse | DataDirectory.NotPrivate e) {
      return refused(err, e.getMessage());
    }
    Enrolled enrolled;
    try {
      enrolled = Enrolment.ensure(directory.path(), consoleUrl.toString(), join != null ? join
          : System.getenv(JOIN_VARIABLE), caSha256, advertise);
    } catch (EnrolmentException e) {
      directory.close();
      return refused(err, e.getMessage());
    }
    Agent agent = Agent.start(directory, enrolled, consoleUrl.resolve(LinkPaths.LINK).toString(), advertise, java,
        nginxBinary);
    System.out.println("agent of host " + enrolled.host() + " on " + consoleUrl + "; bridges run on " + java.describe());
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      agent.close(); // the bridges keep running; the next agent adopts them
      stopped.countDown();
    }, "agent-shutdown"));
    stopped.await();
    return 0;
  }

  /** An IP literal or a host name that other machines can reach: no wildcard; loopback only for a console on loopback. */
  private void checkAdvertise(String consoleHost) {
    if (!HostPort.isHost(advertise)) {
      throw new ParameterException(spec.commandLine(), "--advertise: '" + LogText.oneLine(advertise, 100)
          + "' is not an IP address or host name");
    }
    if (HostPort.isWildcard(advertise)) {
      throw new ParameterException(spec.commandLine(), "--advertise: " + advertise + " is every address of this"
          + " host, which nobody can dial; give the one nginx and the console reach it at");
    }
    if (HostPort.isLoopbackOrWildcard(advertise) && !HostPort.isLoopbackOrWildcard(consoleHost)) {
      throw new ParameterException(spec.commandLine(), "--advertise: " + advertise + " is reached from this host"
          + " only, and the console is elsewhere; give the address the console's machine reaches this one at");
    }
  }

  /** The nginx of --nginx, an executable file, or the one on the PATH; null when this host has none. */
  private String nginxBinary() {
    if (nginx == null) {
      return NginxBinary.find().orElse(null);
    }
    if (!Files.isRegularFile(nginx) || !Files.isExecutable(nginx)) {
      throw new ParameterException(spec.commandLine(), "--nginx: " + LogText.oneLine(nginx.toString(), 200)
          + " is not an executable file");
    }
    return nginx.toAbsolutePath().normalize().toString();
  }

  private BridgeJava bridgeJava() {
    try {
      return JdkSearch.ofThisMachine().forBridges(bridgeJava);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), "--bridge-java " + e.getMessage());
    }
  }

  private int refused(PrintWriter err, String message) {
    err.println("agent: " + message);
    err.flush();
    return 1;
  }

  /** The running agent: its data directory held, its supervisor, its link. */
  private record Agent(DataDirectory directory, Supervisor supervisor, LinkClient link, OkHttpClient http,
      NginxLogRotation rotation) implements AutoCloseable {

    /**
     * An edge's nginx logs are rotated at the size the setting {@code logs.requests_max_mb} has by default:
     * the console sends no setting of its own for them, and its bridges' flags are theirs.
     */
    static final long EDGE_LOGS_MAX_BYTES = RequestLogRetention.DEFAULT.maxMb() * 1024L * 1024L;

    static Agent start(DataDirectory directory, Enrolled enrolled, String linkUrl, String advertise, BridgeJava java,
        String nginx) {
      Path data = directory.path();
      OkHttpClient http = new OkHttpClient.Builder().connectTimeout(Duration.ofSeconds(2))
          .readTimeout(Duration.ofSeconds(10)).callTimeout(Duration.ofSeconds(15)).build();
      SupervisePolicy policy = SupervisePolicy.defaults();
      Supervisor supervisor = new Supervisor(data.resolve("run"), data.resolve("logs"), policy, http);
      supervisor.addListener((from, to) -> log.info("{}: {} → {}{}", to.name(), from.state(), to.state(),
          to.message() == null ? "" : " (" + to.message() + ")"));
      EdgeNginx edge = new EdgeNginx(nginx, data, supervisor, http);
      NginxLogRotation rotation = edge.rotateLogs(EDGE_LOGS_MAX_BYTES, NginxLogRotation.EVERY);
      Reconciler reconciler = new Reconciler(supervisor, data, SelfCommand.current().onJava(java.executable()),
          enrolled.host(), edge);
      reconciler.resume();
      MachineFacts facts = new MachineFacts(advertise, java.jdk(), data);
      RequestAnswers answers = new RequestAnswers(supervisor, reconciler,
          new HostSupervisorConf(reconciler.bridgePrograms(), policy));
      OkHttpClient linkHttp = enrolled.okHttp(http.newBuilder())
          .connectTimeout(Duration.ofSeconds(10))
          .readTimeout(Duration.ofSeconds(30))
          .callTimeout(Duration.ZERO)
          .pingInterval(Duration.ofSeconds(LinkPaths.REPORT_SECONDS * 2L))
          .build();
      LinkClient link = new LinkClient(linkHttp, linkUrl, reconciler, answers::answer,
          () -> new Report(reconciler.appliedRevision(), reconciler.applyError(), facts.now(), reconciler.programs(),
              reconciler.edgeReport()),
          Backoff.standard(), Duration.ofSeconds(LinkPaths.REPORT_SECONDS));
      supervisor.addListener((from, to) -> link.reportSoon()); // RUNNING is news the console should not wait 5 s for
      link.start();
      log.info("host {}: dialling {}", enrolled.host(), linkUrl);
      return new Agent(directory, supervisor, link, http, rotation);
    }

    @Override
    public void close() {
      link.close();
      rotation.close();
      supervisor.close();
      http.dispatcher().executorService().shutdown();
      directory.close();
    }
  }
}
