package dev.ollamabridge.console.instances;

import java.util.Optional;

/** Finds the runtime of the host an instance names. */
public interface HostRuntimes {

  /** The console's own machine, which needs no agent. */
  String LOCAL = "local";

  /** The host's runtime, revoked ones included (their bridges' last known states); empty when none has that name. */
  Optional<HostRuntime> find(String host);

  /**
   * The runtime of a host new bridges may go to.
   *
   * @throws InvalidInput naming the field {@code host} when no such host has joined, or it was revoked
   */
  HostRuntime placeable(String host);

  /** The runtime of a host that exists. */
  default HostRuntime of(String host) {
    return find(host).orElseThrow(() -> new InvalidInput("host", "host '" + host + "' does not exist: "
        + "give local or a host on the Hosts page"));
  }
}
