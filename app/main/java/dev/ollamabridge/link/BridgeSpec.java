package dev.ollamabridge.link;

import java.util.List;
import java.util.Map;

/**
 * One bridge a host should run, as the console renders it for the host's agent.
 *
 * @param name the instance's name, which is also the program's
 * @param arguments the bridge's flags after {@code bridge} (listen address, upstream, limits …), without
 *     the cache directory, which is the agent's to place
 * @param environment secrets the bridge reads from its environment (never on its command line)
 * @param listenHost the address the bridge listens on, on that host
 * @param port its port
 * @param cache whether it caches answers: the agent then adds {@code --enable-cache --cache-dir
 *     <agent data>/cache/<name>}
 * @param run false for a bridge stopped on purpose: the agent stops it and keeps it stopped
 */
public record BridgeSpec(String name, List<String> arguments, Map<String, String> environment, String listenHost,
    int port, boolean cache, boolean run) {

  public BridgeSpec {
    arguments = List.copyOf(arguments);
    environment = Map.copyOf(environment);
  }

  /** Whether running {@code other} instead needs the process restarted (its launch differs). */
  public boolean launchesLike(BridgeSpec other) {
    return name.equals(other.name) && arguments.equals(other.arguments) && environment.equals(other.environment)
        && listenHost.equals(other.listenHost) && port == other.port && cache == other.cache;
  }

  /** Shows the variables' names only: their values are keys. */
  @Override
  public String toString() {
    return "BridgeSpec[name=" + name + ", arguments=" + arguments + ", environment=" + environment.keySet()
        + ", listen=" + listenHost + ":" + port + ", cache=" + cache + ", run=" + run + "]";
  }
}
