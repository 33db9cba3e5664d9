package dev.ollamabridge.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * A real {@code redis-server} (Debian's package) for a test: on a free port ({@link TestPorts}),
 * bound to one address, with a generated password that is written only to its 0600 config file
 * (never to a command line, which {@code ps} shows), nothing saved to disk ({@code save ""}), its
 * files in {@code <dir>/redis-<port>/}.
 *
 * <p>It never outlives the test: {@link #close()} kills it, a JVM shutdown hook kills it if the
 * test did not, and {@link LeftoverProcesses} kills it after the test when {@code dir} is one of
 * the test's {@code @TempDir} directories (its pid file is {@code <dir>/redis-<port>/run/redis.pid}).
 * Its process title is its command line, {@code redis-server <dir>/redis-<port>/ollamabridge-redis.conf},
 * which {@code .ci/run}'s check for leftovers matches.
 *
 * <p>Without {@code redis-server} a test is skipped, or fails under CI (the environment variable
 * {@code CI} set), as {@link NetworkHosts} decides.
 */
public final class RedisServer implements AutoCloseable {

  /** The config file's name: .ci/run looks for processes started with it. */
  public static final String CONFIG_NAME = "ollamabridge-redis.conf";

  private final String executable;
  private final String host;
  private final int port;
  private final String password;
  private final Path home;
  private final Path config;
  private final Thread reaper;
  private Process process;

  private RedisServer(String executable, String host, int port, String password, Path home) {
    this.executable = executable;
    this.host = host;
    this.port = port;
    this.password = password;
    this.home = home;
    this.config = home.resolve(CONFIG_NAME);
    this.reaper = new Thread(this::kill, "redis-server-" + port + "-reaper");
  }

  /** Starts one on 127.0.0.1, its files under {@code dir} (give it the test's {@code @TempDir}). */
  public static RedisServer start(Path dir) {
    return start(dir, "127.0.0.1");
  }

  /** Starts one bound to {@code address} (e.g. a network host's address), its files under {@code dir}. */
  public static RedisServer start(Path dir, String address) {
    String executable = executable();
    int port = TestPorts.listenPort();
    byte[] secret = new byte[24];
    new SecureRandom().nextBytes(secret);
    RedisServer server;
    try {
      Path home = Files.createDirectories(dir.resolve("redis-" + port));
      server = new RedisServer(executable, address, port, HexFormat.of().formatHex(secret), home);
      server.writeConfig();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Runtime.getRuntime().addShutdownHook(server.reaper);
    server.launch();
    return server;
  }

  /** Skips the test where {@code redis-server} is not installed (fails it under CI). */
  public static void assumeInstalled() {
    executable();
  }

  /** {@code redis://HOST:PORT}, without the password (bridges take it from the environment). */
  public String url() {
    return "redis://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
  }

  public String host() {
    return host;
  }

  public int port() {
    return port;
  }

  public String password() {
    return password;
  }

  /** The server's own log file. */
  public Path log() {
    return home.resolve("redis.log");
  }

  /** Whether the process is running. */
  public synchronized boolean running() {
    return process != null && process.isAlive();
  }

  /** {@code kill -9}: the server is gone at once, as in a crash; waits until it has exited. */
  public synchronized void kill() {
    if (process == null) {
      return;
    }
    process.destroyForcibly(); // SIGKILL
    try {
      process.waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    process = null;
  }

  /** Kills it if it runs, then starts it again on the same port with the same password (and no data). */
  public synchronized void restart() {
    kill();
    launch();
  }

  /**
   * Runs {@code redis-cli} against it with {@code args} (the password goes through
   * {@code REDISCLI_AUTH}, not the command line) and answers what it printed.
   */
  public String cli(String... args) {
    List<String> command = new ArrayList<>(List.of(Path.of(executable).resolveSibling("redis-cli").toString(),
        "-h", host, "-p", Integer.toString(port), "--no-raw"));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().put("REDISCLI_AUTH", password);
    try {
      Process cli = builder.start();
      cli.getOutputStream().close();
      String out = new String(cli.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!cli.waitFor(30, TimeUnit.SECONDS)) {
        cli.destroyForcibly();
      }
      return out.strip();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    kill();
    try {
      Runtime.getRuntime().removeShutdownHook(reaper);
    } catch (IllegalStateException shuttingDown) {
      // the hook is running or about to: it kills nothing more
    }
  }

  private void writeConfig() throws IOException {
    String text = String.join("\n",
        "bind " + host,
        "port " + port,
        "requirepass " + password,
        "save \"\"",
        "appendonly no",
        "daemonize no",
        "set-proc-title no", // keeps the command line, which names the config file, as the process title
        "dir " + home,
        "logfile " + home.resolve("redis.log"),
        "") + "\n";
    Path written = home.resolve(".config.tmp");
    Files.deleteIfExists(written);
    Files.createFile(written, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.writeString(written, text, StandardCharsets.UTF_8);
    Files.move(written, config, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
  }

  private synchronized void launch() {
    try {
      Path run = Files.createDirectories(home.resolve("run"));
      process = new ProcessBuilder(executable, config.toString())
          .redirectErrorStream(true)
          .redirectOutput(home.resolve("redis.out").toFile())
          .start();
      Files.writeString(run.resolve("redis.pid"), "pid=" + process.pid() + "\nstarted="
          + process.info().startInstant().map(Object::toString).orElse("") + "\n");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Process started = process;
    try {
      Awaitility.await("redis-server on " + host + ":" + port).atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(50))
          .until(() -> {
            if (!started.isAlive()) {
              throw new IllegalStateException("redis-server exited with " + started.exitValue() + ": " + tail());
            }
            return answersPing();
          });
    } catch (RuntimeException e) {
      kill();
      throw e;
    }
  }

  /** Whether it answers AUTH and PING on its port (plain RESP, so the fixture needs no client library). */
  private boolean answersPing() {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(host, port), 1_000);
      socket.setSoTimeout(2_000);
      OutputStream out = socket.getOutputStream();
      out.write(("*2\r\n$4\r\nAUTH\r\n$" + password.length() + "\r\n" + password + "\r\n*1\r\n$4\r\nPING\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = socket.getInputStream();
      String expected = "+OK\r\n+PONG\r\n";
      byte[] answer = in.readNBytes(expected.length());
      return expected.equals(new String(answer, StandardCharsets.US_ASCII));
    } catch (IOException e) {
      return false;
    }
  }

  private String tail() {
    try {
      List<String> lines = Files.readAllLines(log());
      return String.join(" | ", lines.subList(Math.max(0, lines.size() - 5), lines.size()));
    } catch (IOException e) {
      return "(no log)";
    }
  }

  private static String executable() {
    Optional<String> found = Stream.concat(
            Stream.of(System.getenv().getOrDefault("PATH", "").split(":")).filter(dir -> !dir.isEmpty()),
            Stream.of("/usr/bin", "/usr/local/bin"))
        .map(dir -> Path.of(dir, "redis-server")).filter(Files::isExecutable).map(Path::toString).findFirst();
    if (found.isEmpty()) {
      String why = "redis-server is not installed (Debian's redis-server package; .ci/run installs it)";
      String ci = System.getenv("CI");
      if (ci != null && !ci.isEmpty() && !ci.equalsIgnoreCase("false")) {
        Assertions.fail(why + "; CI=" + ci + " is set, where a missing tool is a failure");
      }
      Assumptions.abort(why);
    }
    return found.orElseThrow();
  }
}
