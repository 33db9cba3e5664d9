package dev.ollamabridge.console;

import dev.ollamabridge.cli.HostPort;
import dev.ollamabridge.console.settings.Setting;
import dev.ollamabridge.testing.TestPorts;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Consoles as most tests start them: on a free port, with nginx off, their bridges on the java that
 * runs the tests (not whatever newest JDK the machine has, which {@code bridge.java=auto} would pick)
 * and their instances' ports from {@link TestPorts#firstPort()}.
 */
public final class TestConsoles {

  /** The java running the tests, which test consoles run their bridges on. */
  public static final String THIS_JAVA = Path.of(System.getProperty("java.home"), "bin", "java").toString();

  private TestConsoles() {}

  /** nginx off, the bridges on {@link #THIS_JAVA}. */
  public static ConsoleConfig offline(Path data) {
    return configured(data, "off", null);
  }

  /** nginx in this mode (null: the default), listening where given (null: as stored), the bridges on {@link #THIS_JAVA}. */
  public static ConsoleConfig configured(Path data, String nginxMode, String nginxListen) {
    return new ConsoleConfig(data, new HostPort("127.0.0.1", 0), false, nginxMode, nginxListen)
        .withOperator(Setting.BRIDGE_JAVA, THIS_JAVA);
  }

  public static ConsoleApp start(Path data) {
    return start(offline(data), data);
  }

  /** Starts a console and has its instances take their ports from {@link TestPorts#firstPort()}. */
  public static ConsoleApp start(ConsoleConfig config, Path data) {
    ConsoleApp console = ConsoleApp.start(config);
    try {
      ConsoleClient api = client(console, data);
      String firstPort = Integer.toString(TestPorts.firstPort());
      if (!api.get("/settings").body().path(Setting.FIRST_PORT.key()).asText().equals(firstPort)) {
        ConsoleClient.Answer set = api.patch("/settings", "{\"" + Setting.FIRST_PORT.key() + "\":" + firstPort + "}");
        if (set.status() != 200) {
          throw new AssertionError("first_port was not set: " + set.body());
        }
      }
      return console;
    } catch (RuntimeException | AssertionError e) {
      console.close();
      throw e;
    }
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
