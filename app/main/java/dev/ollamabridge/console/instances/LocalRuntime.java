package dev.ollamabridge.console.instances;

import dev.ollamabridge.console.supervise.ProgramStatus;
import dev.ollamabridge.console.supervise.Supervisor;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/** The console's own machine: its bridges run under the console's supervisor. */
public final class LocalRuntime implements HostRuntime {

  private final Supervisor supervisor;
  private final BridgeLaunch launch;

  public LocalRuntime(Supervisor supervisor, BridgeLaunch launch) {
    this.supervisor = supervisor;
    this.launch = launch;
  }

  /** How this machine's bridges are launched; the other hosts' bridges get the same flags. */
  public BridgeLaunch launch() {
    return launch;
  }

  @Override
  public String name() {
    return HostRuntimes.LOCAL;
  }

  @Override
  public boolean local() {
    return true;
  }

  @Override
  public String advertise() {
    return "127.0.0.1";
  }

  @Override
  public ProgramStatus start(Instance instance) {
    return supervisor.start(launch.spec(instance));
  }

  @Override
  public CompletableFuture<ProgramStatus> stop(Instance instance) {
    return supervisor.stop(instance.name());
  }

  @Override
  public CompletableFuture<Void> remove(Instance instance) {
    return supervisor.remove(instance.name());
  }

  @Override
  public Optional<ProgramStatus> status(Instance instance) {
    return supervisor.status(instance.name());
  }

  @Override
  public List<String> tail(Instance instance, int lines) {
    return supervisor.tail(instance.name(), lines);
  }
}
