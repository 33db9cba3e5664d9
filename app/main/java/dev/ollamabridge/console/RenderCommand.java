package dev.ollamabridge.console;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ollamabridge.cli.HostPort;
import dev.ollamabridge.console.cache.SharedCache;
import dev.ollamabridge.console.files.GeneratedFiles;
import dev.ollamabridge.console.files.RenderException;
import dev.ollamabridge.console.files.Snapshot;
import dev.ollamabridge.console.health.HealthRecords;
import dev.ollamabridge.console.instances.BridgeLaunch;
import dev.ollamabridge.console.instances.InstanceRepository;
import dev.ollamabridge.console.models.ModelRepository;
import dev.ollamabridge.console.nginx.NjsRouting;
import dev.ollamabridge.console.instances.SelfCommand;
import dev.ollamabridge.console.jdk.JdkSearch;
import dev.ollamabridge.console.settings.Setting;
import dev.ollamabridge.console.settings.Settings;
import dev.ollamabridge.console.store.Database;
import dev.ollamabridge.console.store.DatabaseException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code ollama-bridge render nginx|supervisor|prometheus}: prints a generated file from the console's database. */
@Command(
    name = "render",
    mixinStandardHelpOptions = true,
    description = "Print nginx.conf, supervisor.conf or prometheus.yml as the console would write it.")
public final class RenderCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "FILE", description = "nginx, supervisor or prometheus")
  String file;

  @Option(names = "--data", defaultValue = "./data", description = "The console's data directory (default: ${DEFAULT-VALUE}).")
  Path data;

  @Option(names = "--clear-secrets", description = "supervisor.conf with the bridges' keys in clear, instead of"
      + " references to supervisord's environment.")
  boolean clearSecrets;

  @Option(names = "--nginx-mode", defaultValue = "${env:OLLAMA_BRIDGE_NGINX_MODE:-managed}",
      description = "system prints the part a system nginx includes in its http {}; managed or off a whole nginx.conf"
          + " (default: ${DEFAULT-VALUE}, from OLLAMA_BRIDGE_NGINX_MODE when set).")
  String nginxMode;

  @Option(names = "--bridge-java", paramLabel = "JAVA", defaultValue = "${env:OLLAMA_BRIDGE_BRIDGE_JAVA:-auto}",
      description = "The java supervisor.conf runs the bridges on, as the console's --bridge-java: auto or a path"
          + " (default: ${DEFAULT-VALUE}, from OLLAMA_BRIDGE_BRIDGE_JAVA when set).")
  String bridgeJava;

  @Option(names = "--console", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:8800", converter = HostPort.Converter.class,
      description = "Where Prometheus reaches the console's API for the bridges to scrape: the console's --listen"
          + " (default: ${DEFAULT-VALUE}).")
  HostPort console;

  @Override
  public Integer call() {
    GeneratedFiles.Kind kind = switch (file) {
      case "nginx", "nginx.conf" -> GeneratedFiles.Kind.NGINX;
      case "supervisor", "supervisor.conf" -> GeneratedFiles.Kind.SUPERVISOR;
      case "prometheus", "prometheus.yml" -> GeneratedFiles.Kind.PROMETHEUS;
      default -> throw new ParameterException(spec.commandLine(), "FILE must be nginx, supervisor or prometheus, not '" + file + "'");
    };
    nginxMode = checked(Setting.NGINX_MODE, nginxMode);
    String java = JdkSearch.ofThisMachine().forBridges(checked(Setting.BRIDGE_JAVA, bridgeJava)).executable();
    Path dir = data.toAbsolutePath().normalize();
    if (!Files.exists(dir.resolve("console.db"))) {
      throw new ParameterException(spec.commandLine(), "no console database in " + dir + ": give the console's --data directory");
    }
    try (Database database = Database.open(dir.resolve("console.db"))) {
      Settings settings = new Settings(database, Map.of(Setting.NGINX_MODE, nginxMode));
      Map<Setting, String> values = settings.all();
      Set<Long> healthy = new HealthRecords(database).all().entrySet().stream()
          .filter(Map.Entry::getValue).map(Map.Entry::getKey).collect(Collectors.toSet());
      boolean system = values.get(Setting.NGINX_MODE).equals("system");
      Path prefix = dir.resolve("nginx");
      Optional<Snapshot.Njs> njs = NjsRouting.forMode(values.get(Setting.NGINX_MODE), prefix);
      Snapshot snapshot = new Snapshot(new InstanceRepository(database, new ObjectMapper()).all(), values, healthy, Set.of(), dir,
          SelfCommand.current().onJava(java).command(BridgeLaunch.JVM_FLAGS, List.of()), new ModelRepository(database).all(),
          njs.orElse(null));
      // the bridges' Redis password is the console's: supervisord is to have it in its environment
      GeneratedFiles files = new GeneratedFiles(() -> console, () -> SharedCache.target(values,
          Optional.ofNullable(System.getenv(GeneratedFiles.REDIS_PASSWORD)).filter(p -> !p.isEmpty()),
          () -> managedPassword(dir)));
      String text = switch (kind) {
        case NGINX -> files.nginx(snapshot, !system);
        case SUPERVISOR -> files.supervisor(snapshot, clearSecrets ? GeneratedFiles.Secrets.CLEAR : GeneratedFiles.Secrets.REFERENCED);
        case PROMETHEUS -> files.prometheus();
      };
      spec.commandLine().getOut().print(text);
      spec.commandLine().getOut().flush();
      return 0;
    } catch (RenderException | DatabaseException e) {
      spec.commandLine().getErr().println("render: " + e.getMessage());
      return 1;
    }
  }

  /** The managed Redis's password as the console keeps it, or a placeholder where it has not run yet. */
  private static String managedPassword(Path dir) {
    try {
      return Files.readString(dir.resolve("redis").resolve("password")).strip();
    } catch (java.io.IOException e) {
      return "not-generated-yet";
    }
  }

  private String checked(Setting setting, String value) {
    try {
      return setting.check(value);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), setting.flag() + " " + e.getMessage());
    }
  }
}
