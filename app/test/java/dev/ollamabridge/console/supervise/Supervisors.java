package dev.ollamabridge.console.supervise;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Opens supervisors for a test and, after it, stops every program they ran and closes them. Any process
 * a supervisor ever reported that still lives then (one left behind by a closed supervisor, say) is
 * killed with its children, so no test leaves a process behind.
 */
final class Supervisors implements AfterEachCallback {

  private final List<Supervisor> opened = new ArrayList<>();
  // handles taken while the processes lived: they know their start time, so a reused pid is never killed
  private final Set<ProcessHandle> processes = ConcurrentHashMap.newKeySet();

  /** One client for every supervisor of the run, as the console has one for its process. */
  static final OkHttpClient HTTP = new OkHttpClient();

  Supervisor open(Path runDir, Path logDir, SupervisePolicy policy) {
    return track(new Supervisor(runDir, logDir, policy, HTTP));
  }

  Supervisor track(Supervisor supervisor) {
    supervisor.addListener((from, to) -> {
      if (to.pid() != null) {
        ProcessHandle.of(to.pid()).ifPresent(processes::add);
      }
    });
    opened.add(supervisor);
    return supervisor;
  }

  /** A process started around the supervisors, to be killed after the test all the same. */
  void killAfterwards(ProcessHandle process) {
    processes.add(process);
  }

  @Override
  public void afterEach(ExtensionContext context) {
    for (Supervisor supervisor : opened) {
      try {
        for (ProgramStatus status : supervisor.statuses()) {
          supervisor.stop(status.name()).get(15, TimeUnit.SECONDS);
        }
      } catch (Exception e) {
        // closed already, or the stop failed: the processes are killed below
      } finally {
        supervisor.close();
      }
    }
    for (ProcessHandle process : processes) {
      if (process.isAlive()) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
      }
    }
  }
}
