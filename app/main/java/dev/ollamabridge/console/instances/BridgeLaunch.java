package dev.ollamabridge.console.instances;

import dev.ollamabridge.console.supervise.ProgramSpec;
import java.io.IOException;
import java.nio.file.Files;
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

  /** The first JDK that writes a class-data archive at exit and maps it at the next start by itself. */
  static final int FIRST_SELF_ARCHIVING_JDK = 19;

  private final SelfCommand self;
  private final Path dataDir;
  private final boolean archives;

  /**
   * @param javaFeature the feature release of the java the bridges run on: from 19 on, and when
   *     they run from the jar, each bridge keeps a class-data archive of its own (see {@link #archive})
   */
  public BridgeLaunch(SelfCommand self, Path dataDir, int javaFeature) {
    this.self = self;
    this.dataDir = dataDir;
    this.archives = javaFeature >= FIRST_SELF_ARCHIVING_JDK && self.runsJar();
  }

  /**
   * How the console runs the instance: the command carries {@link #markers} besides the lean flags, by
   * which a restarted console finds a bridge whose pid file was never written.
   */
  public ProgramSpec spec(Instance instance) {
    List<String> markers = markers(dataDir, instance.name());
    List<String> jvmFlags = new ArrayList<>(JVM_FLAGS);
    if (archives) {
      // the JVM notes every class it leaves out of an archive: hundreds of lines in the bridge's log
      jvmFlags.addAll(List.of("-XX:+AutoCreateSharedArchive", "-XX:SharedArchiveFile=" + archive(instance),
          "-Xlog:cds*=off"));
    }
    jvmFlags.addAll(markers);
    return new ProgramSpec(instance.name(), self.command(jvmFlags, arguments(instance)), environment(instance),
        dataDir, instance.host(), instance.port(), "http://" + instance.reachableAddress() + "/health", markers);
  }

  /**
   * The bridge's own class-data archive (AppCDS): the JVM writes the classes it loaded when the
   * bridge stops, and maps them at every start after, which halves the time to its first answer
   * (1.6 s to 0.75 s measured on JDK 25; writing it makes that first stop take about 3 s). One
   * archive per bridge, so no two processes ever write the same file; the JVM makes a new one when
   * the jar or the JDK changed.
   */
  Path archive(Instance instance) {
    return dataDir.toAbsolutePath().normalize().resolve("run").resolve(instance.name() + ".jsa");
  }

  /** Removes what the console kept for a bridge that is gone: its class-data archive. */
  void forget(Instance instance) {
    try {
      Files.deleteIfExists(archive(instance));
    } catch (IOException e) {
      // a leftover archive is harmless: the JVM checks it before it maps it
    }
  }

  /**
   * System properties that no other program carries: the console's data directory and the program's
   * name, which together belong to one bridge. They are the console's own; an exported supervisor.conf
   * runs its bridges under supervisord, not this console, and leaves them out.
   */
  private static List<String> markers(Path dataDir, String name) {
    return List.of("-Dollamabridge.data=" + dataDir.toAbsolutePath().normalize(), "-Dollamabridge.program=" + name);
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
    for (String origin : instance.allowedOrigins()) {
      args.addAll(List.of("--allowed-origin", origin));
    }
    for (String alias : instance.modelAliases()) {
      args.addAll(List.of("--model-alias", alias));
    }
    if (instance.maxConcurrent() > 0) {
      args.addAll(List.of("--max-concurrent", Integer.toString(instance.maxConcurrent()),
          "--queue-size", Integer.toString(instance.queueSize()),
          "--queue-timeout", Integer.toString(instance.queueTimeoutMs())));
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
