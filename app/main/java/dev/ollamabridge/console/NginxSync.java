package dev.ollamabridge.console;

import dev.ollamabridge.console.files.GeneratedFiles;
import dev.ollamabridge.console.files.Snapshot;
import dev.ollamabridge.console.health.HealthChecker;
import dev.ollamabridge.console.instances.BridgeLaunch;
import dev.ollamabridge.console.instances.ChangeListener;
import dev.ollamabridge.console.instances.Instance;
import dev.ollamabridge.console.instances.InstanceRepository;
import dev.ollamabridge.console.instances.InstanceService;
import dev.ollamabridge.console.instances.SelfCommand;
import dev.ollamabridge.console.nginx.Commands;
import dev.ollamabridge.console.nginx.GeneratedConfigs;
import dev.ollamabridge.console.nginx.NginxApplier;
import dev.ollamabridge.console.nginx.NginxRefusal;
import dev.ollamabridge.console.nginx.Revision;
import dev.ollamabridge.console.settings.Setting;
import dev.ollamabridge.console.settings.Settings;
import dev.ollamabridge.console.settings.SettingsListener;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Keeps nginx in step with the database: every change to instances or settings, and every health
 * transition, renders the files again and (unless nginx.mode is off) applies nginx.conf. Changes
 * that would render a file nginx refuses are refused before they are stored.
 */
final class NginxSync implements ChangeListener, SettingsListener, GeneratedConfigs {

  private final InstanceRepository repository;
  private final Settings settings;
  private final HealthChecker health;
  private final GeneratedFiles files;
  private final Path dataDir;
  private final List<String> bridgeCommand;
  private final boolean fullConfig;
  private InstanceService instances;
  private NginxApplier applier;

  NginxSync(InstanceRepository repository, Settings settings, HealthChecker health, GeneratedFiles files, Path dataDir,
      SelfCommand self, boolean fullConfig) {
    this.repository = repository;
    this.settings = settings;
    this.health = health;
    this.files = files;
    this.dataDir = dataDir;
    this.bridgeCommand = self.command(BridgeLaunch.JVM_FLAGS, List.of());
    this.fullConfig = fullConfig;
  }

  /** Completes the wiring: the service whose draining set the files show, and the applier (null: mode off). */
  void connect(InstanceService instances, NginxApplier applier) {
    this.instances = instances;
    this.applier = applier;
  }

  Snapshot snapshot() {
    return snapshot(repository.all(), settings.all());
  }

  String renderNginx() {
    return files.nginx(snapshot(), fullConfig);
  }

  @Override
  public String render(GeneratedFiles.Kind kind) {
    return kind == GeneratedFiles.Kind.NGINX ? renderNginx() : files.render(kind, snapshot());
  }

  @Override
  public String renderSupervisor(GeneratedFiles.Secrets secrets) {
    return files.supervisor(snapshot(), secrets);
  }

  @Override
  public NginxApplier applier() {
    return applier;
  }

  /** Renders the instances as they would be and, unless nginx.mode is off, has {@code nginx -t} test the result. */
  @Override
  public void check(List<Instance> wouldBe) {
    String config = files.nginx(snapshot(wouldBe, settings.all()), fullConfig);
    if (applier != null) {
      Commands.Outcome test = applier.test(config).join();
      if (!test.ok()) {
        throw new NginxRefusal("nginx -t refused the configuration this change would make; nothing was changed", test.output());
      }
    }
  }

  @Override
  public void check(Map<Setting, String> wouldBe) {
    files.nginx(snapshot(repository.all(), wouldBe), fullConfig);
  }

  @Override
  public CompletableFuture<Revision> changed(String actor) {
    return applier == null ? CompletableFuture.completedFuture(null) : applier.request(actor);
  }

  private Snapshot snapshot(List<Instance> all, Map<Setting, String> values) {
    return new Snapshot(all, values, health.healthyIds(), instances == null ? java.util.Set.of() : instances.draining(),
        dataDir, bridgeCommand);
  }
}
