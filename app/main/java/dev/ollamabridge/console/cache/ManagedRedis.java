package dev.ollamabridge.console.cache;

import dev.ollamabridge.cli.HostPort;
import dev.ollamabridge.console.supervise.ProcessState;
import dev.ollamabridge.console.supervise.ProgramSpec;
import dev.ollamabridge.console.supervise.ProgramStatus;
import dev.ollamabridge.console.supervise.Supervisor;
import dev.ollamabridge.files.OwnerOnly;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The Redis the console runs itself, when {@code cache.redis_managed} names where it binds: a
 * {@code redis-server} under the console's supervisor (so a console restart adopts it, a death
 * restarts it and {@code console stop-all} stops it), with its directory, config and password under
 * {@code <data>/redis}, all its owner's only.
 *
 * <p>The password is generated once and kept in {@code <data>/redis/password}; it reaches
 * {@code redis-server} through its config file ({@code requirepass}), never its command line, which
 * {@code ps} shows. A cache, not a store: no snapshots, no append-only file, {@code maxmemory} with
 * {@code allkeys-lru}, so a full Redis drops its least used answers rather than refusing writes.
 */
public final class ManagedRedis {

  /** The supervisor's name for it, which no instance may take. */
  public static final String PROGRAM = "redis";
  private static final int PASSWORD_BYTES = 32;

  private final String binary;
  private final Path dir;
  private final Path config;
  private final Path password;
  private final Supervisor supervisor;

  /**
   * @param binary the redis-server to run
   * @param dir {@code <data>/redis}
   */
  public ManagedRedis(String binary, Path dir, Supervisor supervisor) {
    this.binary = binary;
    this.dir = dir.toAbsolutePath().normalize();
    this.config = this.dir.resolve("redis.conf");
    this.password = this.dir.resolve("password");
    this.supervisor = supervisor;
  }

  /** redis-server on the PATH, if it is installed. */
  public static Optional<String> find() {
    String path = System.getenv("PATH");
    if (path == null) {
      return Optional.empty();
    }
    for (String entry : path.split(":")) {
      Path candidate = Path.of(entry.isEmpty() ? "." : entry, "redis-server");
      if (Files.isExecutable(candidate) && Files.isRegularFile(candidate)) {
        return Optional.of(candidate.toAbsolutePath().toString());
      }
    }
    return Optional.empty();
  }

  /**
   * Has it run bound to {@code bind} with that much memory: adopts the one a previous console left
   * running, starts one, or restarts it when its config changed.
   */
  public ProgramStatus run(HostPort bind, int maxMemoryMb) {
    boolean changed = writeConfig(render(bind, maxMemoryMb, password()));
    ProgramSpec spec = new ProgramSpec(PROGRAM, List.of(binary, config.toString()), Map.of(), dir, bind.host(), bind.port(),
        null, List.of(config.toString()));
    Optional<ProgramStatus> before = supervisor.status(PROGRAM);
    if (changed && before.isPresent()) {
      supervisor.remove(PROGRAM).join();
    }
    ProgramStatus status = supervisor.start(spec);
    if (changed && before.isEmpty() && status.state() == ProcessState.RUNNING) {
      // adopted from a previous console, running the config it had: restarted with this one
      supervisor.remove(PROGRAM).join();
      status = supervisor.start(spec);
    }
    return status;
  }

  /** Stops it, if this console runs it. */
  public void stop() {
    supervisor.remove(PROGRAM).join();
  }

  public Optional<ProgramStatus> status() {
    return supervisor.status(PROGRAM);
  }

  /** The password the bridges authenticate with: generated at first use, kept {@code 0600} under its directory. */
  public synchronized String password() {
    try {
      OwnerOnly.directory(dir);
      if (Files.isRegularFile(password)) {
        OwnerOnly.file(password, false);
        String kept = Files.readString(password).strip();
        if (kept.matches("[0-9a-f]{64}")) {
          return kept;
        }
      }
      byte[] random = new byte[PASSWORD_BYTES];
      new SecureRandom().nextBytes(random);
      String generated = HexFormat.of().formatHex(random);
      OwnerOnly.writeString(password, generated + "\n");
      return generated;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot keep the managed Redis's password in " + password + ": " + e.getMessage(), e);
    }
  }

  /** The whole redis.conf: nothing in it comes from outside but checked settings. */
  static String render(HostPort bind, int maxMemoryMb, String password) {
    return String.join("\n",
        "# Written by the Ollama Bridge console (cache.redis_managed); changes here are overwritten.",
        "bind " + bind.host(),
        "port " + bind.port(),
        "protected-mode yes",
        "requirepass " + password,
        "maxmemory " + maxMemoryMb + "mb",
        "maxmemory-policy allkeys-lru",
        "save \"\"",
        "appendonly no",
        "daemonize no",
        "logfile \"\"",
        "set-proc-title no", // its command line, which names this config, stays its title: how a console finds it
        "");
  }

  /** Writes the config when it differs (owner-only, whole or not at all); answers whether it did. */
  private boolean writeConfig(String text) {
    try {
      OwnerOnly.directory(dir);
      if (Files.isRegularFile(config) && Files.readString(config).equals(text)) {
        OwnerOnly.file(config, false);
        return false;
      }
      OwnerOnly.writeString(config, text);
      return true;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the managed Redis's config " + config + ": " + e.getMessage(), e);
    }
  }
}
