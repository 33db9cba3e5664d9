package dev.ollamabridge.console;

import dev.ollamabridge.cli.HostPort;
import dev.ollamabridge.cli.LogLevels;
import dev.ollamabridge.console.settings.Setting;
import dev.ollamabridge.console.store.DatabaseException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code ollama-bridge console}: the control plane's web console and REST admin API. */
@Command(
    name = "console",
    mixinStandardHelpOptions = true,
    description = "Store bridge instances, run and health-check them, and serve the admin API.")
public final class ConsoleCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(names = "--data", defaultValue = "./data",
      description = "Directory for the database, logs, pid files and cache dirs (default: ${DEFAULT-VALUE}).")
  Path data;

  @Option(names = "--listen", defaultValue = "127.0.0.1:8800", converter = HostPort.Converter.class,
      description = "Address of the console (default: ${DEFAULT-VALUE}).")
  HostPort listen;

  @Option(names = "--demo", description = "On an empty database, start a demo backend and one instance in front of it.")
  boolean demo;

  @Option(names = "--nginx-mode", description = "managed (run our own nginx; the default when nginx is installed),"
      + " system (write nginx.system_path, run nginx.reload_command) or off (render only). Stored as a setting.")
  String nginxMode;

  @Option(names = "--nginx-listen", description = "HOST:PORT of the managed nginx (default 127.0.0.1:8080). Stored as a setting.")
  String nginxListen;

  @Option(names = {"-d", "--debug"}, description = "Log at debug level.")
  boolean debug;

  @Override
  public Integer call() throws Exception {
    LogLevels.apply(debug);
    ConsoleApp app;
    try {
      app = ConsoleApp.start(new ConsoleConfig(data, listen, demo, checked(Setting.NGINX_MODE, nginxMode),
          checked(Setting.NGINX_LISTEN, nginxListen)));
    } catch (DatabaseException e) {
      System.err.println("console: " + e.getMessage());
      return 1;
    }
    System.out.println("Console API on http://" + listen.host() + ":" + app.port() + "/api/v1 (data in " + data.toAbsolutePath().normalize() + ")");
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      app.close(); // the bridges keep running; the next console adopts them
      stopped.countDown();
    }, "console-shutdown"));
    stopped.await();
    return 0;
  }

  /** A flag's value, checked by its setting's rule; a bad one ends the command with that rule. */
  private String checked(Setting setting, String value) {
    if (value == null) {
      return null;
    }
    try {
      return setting.check(value);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), "--" + setting.key().replace('.', '-').replace('_', '-') + " " + e.getMessage());
    }
  }
}
