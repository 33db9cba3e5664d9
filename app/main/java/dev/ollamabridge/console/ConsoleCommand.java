package dev.ollamabridge.console;

import dev.ollamabridge.cli.HostPort;
import dev.ollamabridge.cli.LogLevels;
import dev.ollamabridge.console.store.DatabaseException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ollama-bridge console}: the control plane's web console and REST admin API. */
@Command(
    name = "console",
    mixinStandardHelpOptions = true,
    description = "Store bridge instances, run and health-check them, and serve the admin API.")
public final class ConsoleCommand implements Callable<Integer> {

  @Option(names = "--data", defaultValue = "./data",
      description = "Directory for the database, logs, pid files and cache dirs (default: ${DEFAULT-VALUE}).")
  Path data;

  @Option(names = "--listen", defaultValue = "127.0.0.1:8800", converter = HostPort.Converter.class,
      description = "Address of the console (default: ${DEFAULT-VALUE}).")
  HostPort listen;

  @Option(names = "--demo", description = "On an empty database, start a demo backend and one instance in front of it.")
  boolean demo;

  @Option(names = {"-d", "--debug"}, description = "Log at debug level.")
  boolean debug;

  @Override
  public Integer call() throws Exception {
    LogLevels.apply(debug);
    ConsoleApp app;
    try {
      app = ConsoleApp.start(new ConsoleConfig(data, listen, demo));
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
}
