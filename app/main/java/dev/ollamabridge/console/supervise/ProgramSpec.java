package dev.ollamabridge.console.supervise;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Pattern;
import okhttp3.HttpUrl;

/**
 * How to run one program.
 *
 * @param name identifies the program; it also names its files ({@code <name>.log}, {@code <name>.pid}),
 *     so it is limited to letters, digits, {@code .}, {@code _} and {@code -}
 * @param command the executable and its arguments, run as an argv array, never through a shell
 * @param environment variables added to the console's own for the program; the place for secrets, which
 *     in {@code command} would show in the process list. {@link #toString()} hides their values
 * @param workDir the directory the program runs in
 * @param host the address the program will listen on
 * @param port the TCP port the program will listen on; checked free before every launch
 * @param healthUrl an http(s) URL that must give an HTTP response (any status) before the program is
 *     RUNNING; {@code null} means being alive for {@code startSecs} is enough
 * @param markers arguments of {@code command} that only this program of this console carries, such as
 *     {@code -Dollamabridge.data=<data dir>} and {@code -Dollamabridge.program=<name>}: a live process of the
 *     same user whose command line holds each of them as a whole argument is taken for this program when no
 *     pid file names one (its launcher died before writing it). Empty: only the pid file finds it
 */
public record ProgramSpec(
    String name,
    List<String> command,
    Map<String, String> environment,
    Path workDir,
    String host,
    int port,
    String healthUrl,
    List<String> markers) {

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

  public ProgramSpec {
    requireValidName(name);
    if (command == null || command.isEmpty()) {
      throw new IllegalArgumentException(
          "command of program '" + name + "' is empty; give the executable and its arguments");
    }
    if (command.stream().anyMatch(argument -> argument == null)) {
      throw new IllegalArgumentException("command of program '" + name + "' has a null argument: " + command);
    }
    command = List.copyOf(command);
    environment = environment == null ? Map.of() : environment;
    for (Map.Entry<String, String> variable : environment.entrySet()) {
      String key = variable.getKey();
      if (key == null || key.isEmpty() || key.indexOf('=') >= 0 || key.indexOf('\0') >= 0) {
        throw new IllegalArgumentException("environment of program '" + name + "' has a bad variable name '"
            + key + "'");
      }
      if (variable.getValue() == null) {
        throw new IllegalArgumentException("environment variable " + key + " of program '" + name + "' has no value");
      }
    }
    environment = Map.copyOf(environment);
    if (workDir == null) {
      throw new IllegalArgumentException("workDir of program '" + name + "' is missing");
    }
    if (host == null || host.isBlank()) {
      throw new IllegalArgumentException("host of program '" + name + "' is missing; e.g. 127.0.0.1");
    }
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("port of program '" + name + "' is " + port + "; it must be 1-65535");
    }
    if (healthUrl != null) {
      requireHttpUrl(name, healthUrl);
    }
    markers = markers == null ? List.of() : markers;
    for (String marker : markers) {
      // a marker the command lacks would never be found, and a blank one would be found everywhere
      if (marker == null || marker.isBlank() || !command.contains(marker)) {
        throw new IllegalArgumentException("marker '" + marker + "' of program '" + name
            + "' must be a non-blank argument of its command " + command);
      }
    }
    markers = List.copyOf(markers);
  }

  /** A program found through its pid file only. */
  public ProgramSpec(String name, List<String> command, Map<String, String> environment, Path workDir, String host,
      int port, String healthUrl) {
    this(name, command, environment, workDir, host, port, healthUrl, List.of());
  }

  /** A program that needs no variables of its own, found through its pid file only. */
  public ProgramSpec(String name, List<String> command, Path workDir, String host, int port, String healthUrl) {
    this(name, command, Map.of(), workDir, host, port, healthUrl);
  }

  /** Shows the variables' names only: their values may be keys and passwords. */
  @Override
  public String toString() {
    return "ProgramSpec[name=" + name + ", command=" + command + ", environment=" + new TreeSet<>(environment.keySet())
        + ", workDir=" + workDir + ", host=" + host + ", port=" + port + ", healthUrl=" + healthUrl
        + ", markers=" + markers + "]";
  }

  /** Checks a program name before it becomes part of a file name. */
  static String requireValidName(String name) {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("program name '" + name + "' must be 1-64 letters, digits, '.', '_' or '-', "
          + "starting with a letter or digit");
    }
    return name;
  }

  /** Parsed as the probe's HTTP client will parse it, so what passes here can be asked. */
  private static void requireHttpUrl(String name, String healthUrl) {
    if (HttpUrl.parse(healthUrl) == null) {
      throw new IllegalArgumentException("healthUrl of program '" + name + "' is '" + healthUrl
          + "'; give an http(s) URL such as http://127.0.0.1:3000/health, or null for no health check");
    }
  }
}
