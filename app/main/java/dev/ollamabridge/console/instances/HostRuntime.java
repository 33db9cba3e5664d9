package dev.ollamabridge.console.instances;

import dev.ollamabridge.console.supervise.ProgramStatus;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The processes of one machine, as the instances see them: the console's own ({@code local}, its
 * supervisor in this process) or a host that joined, through its agent. Instance services, pages
 * and the API go through this and never ask where a bridge runs.
 */
public interface HostRuntime {

  /** The host's name: {@code local}, or the name it joined with. */
  String name();

  /** Whether this is the console's own machine. */
  boolean local();

  /** The address nginx and the console reach this host's bridges at. */
  String advertise();

  /** Starts (or adopts) the instance's bridge without waiting for it; answers its status now. */
  ProgramStatus start(Instance instance);

  /** Stops the bridge; completes with its STOPPED status. */
  CompletableFuture<ProgramStatus> stop(Instance instance);

  /** Stops the bridge and forgets it; completes when it is gone. */
  CompletableFuture<Void> remove(Instance instance);

  /** The bridge's process as last seen; empty when this host runs none of that name. */
  Optional<ProgramStatus> status(Instance instance);

  /** The last lines of the bridge's log. */
  List<String> tail(Instance instance, int lines);
}
