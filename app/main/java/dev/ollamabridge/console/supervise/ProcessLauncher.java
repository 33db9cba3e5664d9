package dev.ollamabridge.console.supervise;

import java.io.IOException;
import java.lang.ProcessBuilder.Redirect;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts a program's process so that it can outlive the console: its output is appended straight to its
 * log file rather than piped through us, it reads no input, and its pid file is written.
 */
final class ProcessLauncher {

  private static final Logger log = LoggerFactory.getLogger(ProcessLauncher.class);

  private final ProgramLogs logs;
  private final PidFiles pidFiles;

  ProcessLauncher(ProgramLogs logs, PidFiles pidFiles) {
    this.logs = logs;
    this.pidFiles = pidFiles;
  }

  Child launch(ProgramSpec spec) throws IOException {
    ProcessBuilder builder = new ProcessBuilder(spec.command())
        .directory(spec.workDir().toFile())
        .redirectErrorStream(true)
        .redirectOutput(Redirect.appendTo(logs.file(spec.name()).toFile()));
    builder.environment().putAll(spec.environment());
    Process process = builder.start();
    closeInput(process);
    Child child = Child.launched(process);
    try {
      pidFiles.write(spec.name(), child.handle());
    } catch (IOException e) {
      log.warn("{}: cannot write its pid file ({}); a restarted console will not adopt it", spec.name(), e.toString());
    }
    return child;
  }

  /** A program reading its input sees the end at once, not a pipe that breaks when the console goes. */
  private static void closeInput(Process process) {
    try {
      process.getOutputStream().close();
    } catch (IOException e) {
      log.debug("closing a program's input failed", e);
    }
  }
}
