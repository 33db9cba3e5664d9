package dev.ollamabridge.console.files;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real supervisord in the foreground whose main config includes a generated supervisor.conf, as
 * an operator would set it up; closing it shuts it down, and its programs with it.
 */
public record RealSupervisord(Process process, Path main) implements AutoCloseable {

  /** Writes {@code conf} and a main config into {@code dir}, and starts supervisord with {@code environment} added. */
  public static RealSupervisord start(Path dir, String conf, Map<String, String> environment) throws IOException {
    Files.createDirectories(dir.resolve("logs"));
    Files.writeString(dir.resolve("supervisor.conf"), conf);
    Path main = dir.resolve("supervisord.conf");
    Files.writeString(main, """
        [unix_http_server]
        file=%1$s/supervisor.sock
        [supervisord]
        logfile=%1$s/supervisord.log
        pidfile=%1$s/supervisord.pid
        nodaemon=true
        user=root
        [rpcinterface:supervisor]
        supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface
        [supervisorctl]
        serverurl=unix://%1$s/supervisor.sock
        [include]
        files=%1$s/supervisor.conf
        """.formatted(dir));
    ProcessBuilder builder = new ProcessBuilder("supervisord", "-c", main.toString())
        .redirectErrorStream(true).redirectOutput(dir.resolve("supervisord.out").toFile());
    builder.environment().putAll(environment);
    return new RealSupervisord(builder.start(), main);
  }

  /** What supervisord printed: why it refused a file, if it did. */
  public String output() throws IOException {
    return Files.readString(main.resolveSibling("supervisord.out"));
  }

  /** Whether supervisord read the file and answers its control socket. */
  public boolean answers() throws Exception {
    return run(List.of("supervisorctl", "-c", main.toString(), "avail")).code() == 0;
  }

  public String status() throws Exception {
    return ctl("status");
  }

  /** Runs {@code supervisorctl <command> [programs…]} and answers what it printed. */
  public String ctl(String command, String... programs) throws Exception {
    return ctl(command, Arrays.asList(programs));
  }

  public String ctl(String command, List<String> programs) throws Exception {
    List<String> argv = new ArrayList<>(List.of("supervisorctl", "-c", main.toString(), command));
    argv.addAll(programs);
    return run(argv).output();
  }

  /** The pids in {@code supervisorctl status} lines such as {@code group:name RUNNING pid 123, uptime 0:00:01}. */
  public Map<String, Long> runningPids(List<String> programs) throws Exception {
    Map<String, Long> pids = new HashMap<>();
    Matcher line = Pattern.compile("^(\\S+)\\s+RUNNING\\s+pid (\\d+)", Pattern.MULTILINE).matcher(ctl("status", programs));
    while (line.find()) {
      pids.put(line.group(1), Long.parseLong(line.group(2)));
    }
    return pids;
  }

  /** A process's environment as the kernel holds it. */
  public static Map<String, String> environmentOf(long pid) throws IOException {
    String raw = Files.readString(Path.of("/proc/" + pid + "/environ"), StandardCharsets.UTF_8);
    Map<String, String> environment = new HashMap<>();
    for (String entry : raw.split("\0")) {
      int equals = entry.indexOf('=');
      if (equals > 0) {
        environment.put(entry.substring(0, equals), entry.substring(equals + 1));
      }
    }
    return environment;
  }

  @Override
  public void close() throws Exception {
    ctl("shutdown");
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
    }
  }

  private static GeneratedFilesTest.Outcome run(List<String> argv) throws IOException, InterruptedException {
    return GeneratedFilesTest.run(argv);
  }
}
