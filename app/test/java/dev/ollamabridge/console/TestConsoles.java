package dev.ollamabridge.console;

import dev.ollamabridge.cli.HostPort;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Consoles as most tests start them: on a free port, with nginx off. */
final class TestConsoles {

  private TestConsoles() {}

  static ConsoleConfig offline(Path data) {
    return new ConsoleConfig(data, new HostPort("127.0.0.1", 0), false, "off", null);
  }

  static ConsoleApp start(Path data) {
    return ConsoleApp.start(offline(data));
  }

  /** A client with the admin token: the one this start made, or the one an earlier start wrote down. */
  static ConsoleClient client(ConsoleApp console, Path data) {
    if (console.adminToken() != null) {
      return new ConsoleClient(console.port(), console.adminToken());
    }
    try {
      return new ConsoleClient(console.port(), Files.readString(data.resolve("admin-token")).strip());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
