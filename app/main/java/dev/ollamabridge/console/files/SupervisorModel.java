package dev.ollamabridge.console.files;

import java.util.List;
import java.util.stream.Collectors;

/**
 * Everything {@code supervisor.conf} prints: one program per managed instance, their group, and
 * the variables supervisord's environment must hold for the secrets the file refers to.
 */
public record SupervisorModel(
    String group, int startSecs, int startRetries, int stopWaitSecs, String logMaxBytes, int logBackups,
    List<Program> programs, List<Variable> secretVariables) {

  /** A variable supervisord must have in its environment: one secret ({@code bridgeVariable}) of one instance. */
  public record Variable(String name, String instance, String bridgeVariable) {}

  /**
   * A {@code [program:…]} section; {@code command} and {@code environment} are already quoted, and
   * a disabled instance is a program that does not start on its own.
   */
  public record Program(String name, String command, String directory, String logFile, String environment,
      boolean autostart) {}

  public String programNames() {
    return programs.stream().map(Program::name).collect(Collectors.joining(","));
  }
}
