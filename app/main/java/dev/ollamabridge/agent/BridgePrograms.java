package dev.ollamabridge.agent;

import dev.ollamabridge.cli.HostPort;
import dev.ollamabridge.console.instances.BridgeLaunch;
import dev.ollamabridge.console.instances.SelfCommand;
import dev.ollamabridge.console.supervise.ProgramSpec;
import dev.ollamabridge.link.BridgeSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * How this agent runs a bridge the console assigned to it: its own jar on the bridges' java with the
 * console's lean flags, the markers that name this agent's data directory and the bridge (by which a
 * restarted agent finds a bridge whose pid file was never written), and the cache under
 * {@code <data>/cache/<name>}, the request log in {@code <data>/logs/requests/<name>.jsonl}.
 *
 * @param self the agent's own program on the bridges' java
 * @param dataDir the agent's data directory, absolute
 */
record BridgePrograms(SelfCommand self, Path dataDir) {

  BridgePrograms {
    dataDir = dataDir.toAbsolutePath().normalize();
  }

  /** What the supervisor runs; throws {@link IllegalArgumentException} naming what is unfit. */
  ProgramSpec spec(BridgeSpec bridge) {
    List<String> markers = BridgeLaunch.markers(dataDir, bridge.name());
    List<String> jvmFlags = new ArrayList<>(BridgeLaunch.JVM_FLAGS);
    jvmFlags.addAll(markers);
    String health = "http://" + new HostPort(bridge.listenHost(), bridge.port()).dialAddress() + "/health";
    return new ProgramSpec(bridge.name(), self.command(jvmFlags, arguments(bridge)), bridge.environment(), dataDir,
        bridge.listenHost(), bridge.port(), health, markers);
  }

  /** The argv supervisord would run instead: the same, without this agent's markers. */
  List<String> supervisordCommand(BridgeSpec bridge) {
    return self.command(BridgeLaunch.JVM_FLAGS, arguments(bridge));
  }

  /** Where bridge {@code name} writes its request log: {@code <data>/logs/requests/<name>.jsonl}. */
  Path requestLog(String name) {
    return dataDir.resolve("logs").resolve("requests").resolve(name + ".jsonl");
  }

  Path cacheDir(String name) {
    return dataDir.resolve("cache").resolve(name);
  }

  private List<String> arguments(BridgeSpec bridge) {
    List<String> arguments = new ArrayList<>();
    arguments.add("bridge");
    arguments.addAll(bridge.arguments());
    if (bridge.cache()) {
      arguments.addAll(List.of("--enable-cache", "--cache-dir", cacheDir(bridge.name()).toString()));
    }
    arguments.addAll(List.of("--request-log", requestLog(bridge.name()).toString()));
    return arguments;
  }
}
