package dev.ollamabridge.console;

import dev.ollamabridge.cli.HostPort;
import dev.ollamabridge.cli.LogLevels;
import dev.ollamabridge.console.settings.Setting;
import dev.ollamabridge.console.auth.AdminAccount;
import dev.ollamabridge.console.store.DataDirectory;
import dev.ollamabridge.console.store.DatabaseException;
import dev.ollamabridge.logs.LogText;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import okhttp3.HttpUrl;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code ollama-bridge console}: the control plane's web console and REST admin API. */
@Command(
    name = "console",
    mixinStandardHelpOptions = true,
    subcommands = {StopAllCommand.class, BackupCommand.class, RestoreCommand.class},
    description = "Store bridge instances, run and health-check them, and serve the admin API. Stopping it"
        + " leaves its bridges and nginx running (the next start adopts them); `console stop-all` stops them.")
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
      + " system (write --nginx-system-path, run --nginx-reload-command) or off (render only)."
      + " Env: OLLAMA_BRIDGE_NGINX_MODE.")
  String nginxMode;

  @Option(names = "--nginx-system-path", paramLabel = "FILE", description = "In system mode, the file the console writes"
      + " for the system nginx to include in its http {} (default /etc/nginx/conf.d/ollama-bridge.conf)."
      + " Env: OLLAMA_BRIDGE_NGINX_SYSTEM_PATH.")
  String nginxSystemPath;

  @Option(names = "--nginx-test-command", paramLabel = "COMMAND", description = "In system mode, the command that tests"
      + " the system's nginx configuration, words separated by spaces, run without a shell (default 'nginx -t')."
      + " Env: OLLAMA_BRIDGE_NGINX_TEST_COMMAND.")
  String nginxTestCommand;

  @Option(names = "--nginx-reload-command", paramLabel = "COMMAND", description = "In system mode, the command that"
      + " reloads the system nginx (default 'nginx -s reload'). Env: OLLAMA_BRIDGE_NGINX_RELOAD_COMMAND.")
  String nginxReloadCommand;

  @Option(names = "--cache-roots", paramLabel = "DIR[:DIR…]", description = "Directories under which instances may keep"
      + " their cache dirs, besides <data>/cache, separated by ':'. Env: OLLAMA_BRIDGE_CACHE_ROOTS.")
  String cacheRoots;

  @Option(names = "--nginx-tls-dir", paramLabel = "DIR", description = "The directory nginx.tls_cert and nginx.tls_key"
      + " must name files under, links resolved (default <data>/tls, which the console creates). Env:"
      + " OLLAMA_BRIDGE_NGINX_TLS_DIR.")
  String nginxTlsDir;

  @Option(names = "--bridge-java", paramLabel = "JAVA", description = "The java the bridges run on: auto (the newest"
      + " JDK 21 or later found in $JAVA_HOME, /usr/lib/jvm, the console's own runtime or on the PATH, else the console's"
      + " own runtime) or the absolute path of a JDK 17+'s bin/java (default auto). Env: OLLAMA_BRIDGE_BRIDGE_JAVA.")
  String bridgeJava;

  @Option(names = "--backup-dir", paramLabel = "DIR", description = "Where backups made by the console (its Backup button,"
      + " POST /api/v1/backups, backup.schedule) are kept (default <data>/backups). Env: OLLAMA_BRIDGE_BACKUP_DIR.")
  String backupDir;

  @Option(names = "--nginx-listen", description = "HOST:PORT of the managed nginx (default 127.0.0.1:8080). Stored as the nginx.listen setting.")
  String nginxListen;

  @Option(names = "--agent-listen", paramLabel = "HOST:PORT", converter = HostPort.Converter.class,
      description = "Listen for agents on other hosts (TLS with client certificates; off unless given). The one console "
          + "port meant for other machines: agents join and link here.")
  private HostPort agentListen;

  @Option(names = "--agent-url", paramLabel = "URL", description = "The https:// URL agents dial, when it is not "
      + "https://<agent-listen>: a public name, or an address behind NAT. It goes into the join command and the "
      + "listener's certificate.")
  private String agentUrl;

  @Option(names = {"-d", "--debug"}, description = "Log at debug level.")
  boolean debug;

  @Override
  public Integer call() throws Exception {
    LogLevels.apply(debug);
    ConsoleApp app;
    try {
      app = ConsoleApp.start(new ConsoleConfig(data, listen, demo, operator(), checked(Setting.NGINX_LISTEN, nginxListen),
          agentListen, agentUrl(agentListen, agentUrl)));
    } catch (DatabaseException | DataDirectory.InUse | DataDirectory.NotPrivate | AdminAccount.PasswordRefused e) {
      System.err.println("console: " + e.getMessage());
      return 1;
    }
    String base = "http://" + (listen.host().contains(":") ? "[" + listen.host() + "]" : listen.host()) + ":" + app.port();
    System.out.println("Web console on " + base + "/ (user admin; the first password is in " + data.toAbsolutePath()
        .normalize().resolve("admin-password") + " until changed), REST API on " + base + "/api/v1");
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      app.close(); // the bridges keep running; the next console adopts them
      stopped.countDown();
    }, "console-shutdown"));
    stopped.await();
    return 0;
  }

  /** {@code --agent-url}: an https URL of a host and port, nothing else; it needs {@code --agent-listen}. */
  private String agentUrl(HostPort listen, String url) {
    if (url == null) {
      return null;
    }
    if (listen == null) {
      throw new ParameterException(spec.commandLine(), "--agent-url needs --agent-listen: the listener the URL leads to");
    }
    HttpUrl parsed = HttpUrl.parse(url);
    if (parsed == null || !parsed.isHttps() || !parsed.encodedPath().equals("/") || parsed.query() != null
        || !parsed.username().isEmpty() || url.length() > 255) {
      throw new ParameterException(spec.commandLine(), "--agent-url must be an https:// URL of a host and port, "
          + "such as https://console.example.com:8443, not '" + LogText.oneLine(url, 80) + "'");
    }
    return "https://" + new HostPort(parsed.host(), parsed.port());
  }

  /** The operator settings from the flags, else from the environment; each checked by its rule. */
  private Map<Setting, String> operator() {
    Map<Setting, String> flags = new EnumMap<>(Setting.class);
    flags.put(Setting.NGINX_MODE, nginxMode);
    flags.put(Setting.NGINX_SYSTEM_PATH, nginxSystemPath);
    flags.put(Setting.NGINX_TEST_COMMAND, nginxTestCommand);
    flags.put(Setting.NGINX_RELOAD_COMMAND, nginxReloadCommand);
    flags.put(Setting.CACHE_ROOTS, cacheRoots);
    flags.put(Setting.NGINX_TLS_DIR, nginxTlsDir);
    flags.put(Setting.BRIDGE_JAVA, bridgeJava);
    flags.put(Setting.BACKUP_DIR, backupDir);
    Map<Setting, String> operator = new EnumMap<>(Setting.class);
    for (Setting setting : Setting.values()) {
      if (!setting.operator()) {
        continue;
      }
      String value = flags.get(setting);
      String source = setting.flag();
      if (value == null) {
        value = System.getenv(setting.environmentVariable());
        source = setting.environmentVariable();
      }
      if (value != null) {
        operator.put(setting, checked(setting, source, value));
      }
    }
    return operator;
  }

  /** A flag's value, checked by its setting's rule; a bad one ends the command with that rule. */
  private String checked(Setting setting, String value) {
    return value == null ? null : checked(setting, setting.flag(), value);
  }

  private String checked(Setting setting, String source, String value) {
    try {
      return setting.check(value);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), source + " " + e.getMessage());
    }
  }
}
