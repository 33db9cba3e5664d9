package dev.ollamabridge.console.supervise;

import java.io.IOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts a program's process so that it can outlive the console: its output is appended straight to its
 * log file rather than piped through us, it reads no input, its pid file is written durably before
 * anything else, and it runs in a session of its own, so that Ctrl-C in the console's terminal stops the
 * console but not its programs.
 */
final class ProcessLauncher {

  private static final Logger log = LoggerFactory.getLogger(ProcessLauncher.class);
  /** util-linux setsid: a child that is not a group leader calls setsid() and execs, keeping its pid. */
  private static final Path SETSID = Path.of("/usr/bin/setsid");

  private final ProgramLogs logs;
  private final PidFiles pidFiles;

  ProcessLauncher(ProgramLogs logs, PidFiles pidFiles) {
    this.logs = logs;
    this.pidFiles = pidFiles;
  }

  Child launch(ProgramSpec spec) throws IOException {
    List<String> argv = new ArrayList<>();
    if (Files.isExecutable(SETSID)) {
      // setsid would exec a missing program and exit, which reads as a crash: say so at launch instead
      requireExecutable(spec.command().get(0));
      argv.add(SETSID.toString());
    }
    argv.addAll(spec.command());
    // the JVM would create the log readable by all
    logs.makeOwnerOnly(spec.name());
    ProcessBuilder builder = new ProcessBuilder(argv)
        .directory(spec.workDir().toFile())
        .redirectErrorStream(true)
        .redirectOutput(Redirect.appendTo(logs.file(spec.name()).toFile()));
    builder.environment().putAll(spec.environment());
    Process process = builder.start();
    // first, as the process runs on without us from here; should we die before the file is written, its
    // markers still tell a restarted console that it is ours
    try {
      pidFiles.write(spec.name(), process.toHandle());
    } catch (IOException e) {
      log.warn("{}: cannot write its pid file ({}); a restarted console {}", spec.name(), e.toString(),
          spec.markers().isEmpty() ? "will not adopt it" : "will look for it by its command line");
    }
    closeInput(process);
    return Child.launched(process);
  }

  private static void requireExecutable(String program) throws IOException {
    if (program.contains("/")) {
      if (!Files.isExecutable(Path.of(program))) {
        throw new IOException("Cannot run program \"" + program + "\": no such executable file");
      }
      return;
    }
    for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
      if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, program))) {
        return;
      }
    }
    throw new IOException("Cannot run program \"" + program + "\": not found on the PATH");
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
