package dev.ollamabridge.console.instances;

import dev.ollamabridge.console.supervise.ProgramSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The command line a managed instance runs: {@code ollama-bridge bridge …} with lean JVM settings.
 * Secrets go through the environment, not the argv, so they do not show in the process list.
 */
public final class BridgeLaunch {

  /**
   * A bridge is a small I/O-bound proxy: a serial collector, a small heap and C1 only keep each
   * one at a fraction of a default JVM's memory and start-up time (see README for the figures).
   */
  public static final List<String> JVM_FLAGS = List.of(
      "-XX:+UseSerialGC",
      "-Xms16m",
      "-Xmx192m",
      "-Xss512k",
      "-XX:TieredStopAtLevel=1",
      "-XX:+ExitOnOutOfMemoryError");

  private final SelfCommand self;
  private final Path dataDir;

  public BridgeLaunch(SelfCommand self, Path dataDir) {
    this.self = self;
    this.dataDir = dataDir;
  }

  public ProgramSpec spec(Instance instance) {
    return new ProgramSpec(instance.name(), self.command(JVM_FLAGS, arguments(instance)), environment(instance),
        dataDir, instance.host(), instance.port(), "http://" + instance.reachableAddress() + "/health");
  }

  /** The bridge's flags, in the seed's order; also what supervisor.conf will show. */
  public static List<String> arguments(Instance instance) {
    List<String> args = new ArrayList<>(List.of(
        "bridge", "-l", instance.address(), "--ollama", instance.upstreamUrl(),
        "--upstream-dialect", instance.upstreamDialect()));
    if (instance.cacheEnabled()) {
      args.addAll(List.of("--enable-cache", "--cache-dir", instance.cacheDir()));
    }
    if (instance.sharedMode()) {
      args.add("--enable-shared-mode");
    }
    if (instance.rateLimit() > 0) {
      args.addAll(List.of("--rate-limit", Integer.toString(instance.rateLimit())));
    }
    if (!instance.thinkFilter()) {
      args.add("--disable-think-filter");
    }
    return args;
  }

  public static Map<String, String> environment(Instance instance) {
    Map<String, String> environment = new HashMap<>();
    if (instance.upstreamApiKey() != null) {
      environment.put("BRIDGE_API_KEY", instance.upstreamApiKey());
    }
    if (!instance.clientKeys().isEmpty()) {
      environment.put("BRIDGE_CLIENT_KEYS", String.join(",", instance.clientKeys()));
    }
    return environment;
  }
}
