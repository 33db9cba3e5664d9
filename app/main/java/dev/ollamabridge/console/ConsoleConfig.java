package dev.ollamabridge.console;

import dev.ollamabridge.cli.HostPort;
import java.nio.file.Path;

/**
 * What the console is started with.
 *
 * @param dataDir database, logs, pid files, cache dirs and generated files live here
 * @param demo on an empty database, start the fake backend and one instance in front of it
 */
public record ConsoleConfig(Path dataDir, HostPort listen, boolean demo) {}
