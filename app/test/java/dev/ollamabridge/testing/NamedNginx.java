package dev.ollamabridge.testing;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A stand-in for an edge: nginx in a test host's namespace, on every address of the host (so also on
 * a virtual address keepalived adds later), answering {@code /} with the host's name and
 * {@code /nginx-health} with 200. Each answer closes its connection, so that every request of a test
 * goes to whichever host holds the address then. Its pid file is {@code run/nginx.pid} under its
 * directory, for {@link LeftoverProcesses}.
 */
final class NamedNginx implements AutoCloseable {

  private static final Duration PATIENCE = Duration.ofSeconds(30);

  private final NetworkHosts hosts;
  private final String host;
  private final int port;
  private final Path dir;
  private Process process;

  private NamedNginx(NetworkHosts hosts, String host, int port, Path dir) {
    this.hosts = hosts;
    this.host = host;
    this.port = port;
    this.dir = dir;
  }

  /** nginx for {@code host} on {@code port}, with its files under {@code dir}, once it answers its health check. */
  static NamedNginx start(NetworkHosts hosts, String host, int port, Path dir) throws IOException {
    Files.createDirectories(dir.resolve("run"));
    Files.writeString(dir.resolve("nginx.conf"), """
        daemon off;
        worker_processes 1;
        pid %1$s/run/nginx.pid;
        error_log %1$s/error.log;
        events { worker_connections 256; }
        http {
          access_log off;
          client_body_temp_path %1$s/body;
          proxy_temp_path %1$s/proxy;
          fastcgi_temp_path %1$s/fastcgi;
          uwsgi_temp_path %1$s/uwsgi;
          scgi_temp_path %1$s/scgi;
          keepalive_timeout 0;
          server {
            listen %2$d;
            location = /nginx-health { return 200 "ok\\n"; }
            location / { return 200 "%3$s\\n"; }
          }
        }
        """.formatted(dir.toAbsolutePath(), port, hosts.host(host).name()));
    NamedNginx nginx = new NamedNginx(hosts, host, port, dir);
    nginx.start();
    return nginx;
  }

  /** Starts it again after {@link #stop}. */
  void start() {
    String nginx = NetworkHosts.executable("nginx").orElse(null);
    if (nginx == null) {
      NetworkHosts.skipOrFail("nginx is not installed; .ci/run installs it");
    }
    try {
      process = new ProcessBuilder(hosts.command(host, List.of(nginx, "-p", dir.toAbsolutePath() + "/", "-c",
          dir.resolve("nginx.conf").toAbsolutePath().toString(), "-e", dir.resolve("error.log").toAbsolutePath().toString())))
          .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("nginx.out").toFile())).start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start nginx in " + host, e);
    }
    List<String> health = hosts.command(host, Keepalived.httpCheck(port, "/nginx-health"));
    await("nginx in " + host + " to answer").atMost(PATIENCE).pollInterval(Duration.ofMillis(100))
        .until(() -> !process.isAlive() || new ProcessBuilder(health).redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor() == 0);
    if (!process.isAlive()) {
      throw new IllegalStateException("nginx in " + host + " ended: " + output());
    }
  }

  /** A fast shutdown (SIGTERM): it stops listening, as a crashed or stopped edge does. */
  void stop() {
    List<ProcessHandle> all = process.toHandle().descendants().toList();
    process.destroy();
    try {
      if (!process.waitFor(PATIENCE.toSeconds(), TimeUnit.SECONDS)) {
        throw new IllegalStateException("nginx in " + host + " did not stop: " + output());
      }
      for (ProcessHandle worker : all) {
        worker.onExit().get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
      }
    } catch (Exception e) {
      throw new IllegalStateException("nginx in " + host + " did not stop", e);
    }
  }

  private String output() {
    try {
      Path log = dir.resolve("error.log");
      return Files.readString(dir.resolve("nginx.out")) + (Files.exists(log) ? Files.readString(log) : "");
    } catch (IOException e) {
      return "(no output: " + e.getMessage() + ")";
    }
  }

  @Override
  public void close() {
    if (process != null) {
      process.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
    }
  }
}
