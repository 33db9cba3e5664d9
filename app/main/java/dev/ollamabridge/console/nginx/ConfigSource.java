package dev.ollamabridge.console.nginx;

import dev.ollamabridge.cli.HostPort;
import dev.ollamabridge.console.files.GeneratedFiles;
import dev.ollamabridge.console.files.Snapshot;
import dev.ollamabridge.console.instances.Instance;
import dev.ollamabridge.console.instances.InstanceRepository;
import dev.ollamabridge.console.models.ModelRepository;
import dev.ollamabridge.console.settings.Setting;
import dev.ollamabridge.console.settings.Settings;
import dev.ollamabridge.link.EdgeSpec;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The generated files as they would be rendered now: from the instances and settings in the
 * database, the instances whose health checks pass, those being drained and those stopped on
 * purpose, or from such state as a change would leave it.
 */
public final class ConfigSource {

  private final InstanceRepository instances;
  private final Settings settings;
  private final Supplier<Set<Long>> healthy;
  private final Supplier<Set<Long>> draining;
  private final Supplier<Set<Long>> stopped;
  private final GeneratedFiles files;
  private final Path dataDir;
  private final List<String> bridgeCommand;
  private final boolean fullConfig;
  private final ModelRepository models;
  private final Optional<Snapshot.Njs> njs;
  private Snapshot.Njs edgeNjs;

  /**
   * @param bridgeCommand the argv prefix that starts this program with a bridge's JVM flags
   * @param fullConfig a whole nginx.conf (managed nginx, or off), or the part a system nginx includes
   * @param njs how nginx gets njs, which routing by model needs; empty: nginx has none
   * @param stopped the instances stopped on purpose, which nginx keeps down until they are started
   */
  public ConfigSource(InstanceRepository instances, Settings settings, Supplier<Set<Long>> healthy,
      Supplier<Set<Long>> draining, Supplier<Set<Long>> stopped, GeneratedFiles files, Path dataDir, List<String> bridgeCommand, boolean fullConfig,
      ModelRepository models, Optional<Snapshot.Njs> njs) {
    this.instances = instances;
    this.settings = settings;
    this.healthy = healthy;
    this.draining = draining;
    this.stopped = stopped;
    this.files = files;
    this.dataDir = dataDir;
    this.bridgeCommand = List.copyOf(bridgeCommand);
    this.fullConfig = fullConfig;
    this.models = models;
    this.njs = njs;
  }

  /** Whether nginx has njs, which routing by model needs. */
  public boolean hasNjs() {
    return njs.isPresent();
  }

  public String render(GeneratedFiles.Kind kind) {
    return kind == GeneratedFiles.Kind.NGINX ? nginx() : files.render(kind, snapshot(instances.all(), settings.all()));
  }

  /** The nginx configuration the applier puts in place. */
  public String nginx() {
    return files.nginx(snapshot(instances.all(), settings.all()), fullConfig);
  }

  /** The revision of the nginx configuration the applier puts in place: its {@code # Revision} line. */
  public String revision() {
    return NginxTransaction.hashOf(nginx());
  }

  /** supervisor.conf with its secrets referenced from supervisord's environment, or in clear. */
  public String supervisor(GeneratedFiles.Secrets secrets) {
    return files.supervisor(snapshot(instances.all(), settings.all()), secrets);
  }

  /** The nginx configuration of the instances as a change would leave them. */
  String nginx(List<Instance> wouldBe) {
    return files.nginx(snapshot(wouldBe, settings.all()), fullConfig);
  }

  /** The nginx configuration of the settings as a change would leave them. */
  String nginx(Map<Setting, String> wouldBe) {
    return files.nginx(snapshot(instances.all(), wouldBe), fullConfig);
  }

  /**
   * The nginx.conf of each edge host, from one reading of the state, each carrying the revision of
   * the console's own config of that state ({@link #nginx()}'s {@code # Revision} line): one revision
   * is one state of the cluster on every edge.
   *
   * @return by host name, in the order given
   */
  public Map<String, EdgeSpec> edges(List<GeneratedFiles.Edge> edges) {
    Snapshot snapshot = snapshot(instances.all(), settings.all());
    String revision = NginxTransaction.hashOf(files.nginx(snapshot, fullConfig));
    Snapshot forEdges = new Snapshot(snapshot.instances(), snapshot.settings(), snapshot.healthy(), snapshot.draining(),
        dataDir, bridgeCommand, snapshot.discovered(), edgeNjs(), snapshot.stopped());
    int port = HostPort.parse(snapshot.settings().getOrDefault(Setting.NGINX_LISTEN, Setting.NGINX_LISTEN.defaultValue()))
        .port();
    Map<String, EdgeSpec> specs = new LinkedHashMap<>();
    for (GeneratedFiles.Edge edge : edges) {
      specs.put(edge.host(), new EdgeSpec(revision, files.edgeNginx(forEdges, edge, revision),
          new HostPort(edge.listen() == null ? "0.0.0.0" : edge.listen(), port).toString()));
    }
    return specs;
  }

  /**
   * njs as a whole config loads it: the console's own module, or (a system nginx loads its modules
   * itself) the one found where nginx's packages put it, looked for once.
   */
  private synchronized Snapshot.Njs edgeNjs() {
    if (njs.isEmpty() || njs.get().loadModule() != null) {
      return njs.orElse(null);
    }
    if (edgeNjs == null) {
      edgeNjs = NjsRouting.forWholeConfig(NginxBinary.find(), njs.get().script().getParent()).orElse(null);
    }
    return edgeNjs;
  }

  private Snapshot snapshot(List<Instance> all, Map<Setting, String> values) {
    return new Snapshot(all, values, healthy.get(), draining.get(), dataDir, bridgeCommand, models.all(), njs.orElse(null),
        stopped.get());
  }
}
