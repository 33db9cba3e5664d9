package dev.ollamabridge.console;

import dev.ollamabridge.cli.HostPort;
import java.nio.file.Path;

/**
 * What the console is started with.
 *
 * @param dataDir database, logs, pid files, cache dirs and generated files live here
 * @param demo on an empty database, start the fake backend and one instance in front of it
 * @param nginxMode managed, system or off, stored as the nginx.mode setting; null keeps the setting
 * @param nginxListen where the managed nginx listens, stored as nginx.listen; null keeps the setting
 */
public record ConsoleConfig(Path dataDir, HostPort listen, boolean demo, String nginxMode, String nginxListen) {

  /** A console that keeps its stored nginx settings. */
  public ConsoleConfig(Path dataDir, HostPort listen, boolean demo) {
    this(dataDir, listen, demo, null, null);
  }
}
